import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiKeyGuard, ProjectId } from '../auth/api-key.guard.js';
import { listQuerySchema } from '../common/pagination.js';
import { parseOrThrow } from '../common/validation.js';
import { ConversationsService } from './conversations.service.js';

@Controller('v1/conversations')
@UseGuards(ApiKeyGuard)
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Post()
  @HttpCode(200)
  create(@ProjectId() projectId: string, @Body() body: unknown) {
    return this.conversations.create(projectId, body);
  }

  @Get(':id')
  retrieve(@ProjectId() projectId: string, @Param('id') id: string) {
    return this.conversations.retrieve(projectId, id);
  }

  @Post(':id')
  @HttpCode(200)
  update(@ProjectId() projectId: string, @Param('id') id: string, @Body() body: unknown) {
    return this.conversations.update(projectId, id, body);
  }

  @Delete(':id')
  @HttpCode(200)
  delete(@ProjectId() projectId: string, @Param('id') id: string) {
    return this.conversations.delete(projectId, id);
  }

  @Post(':id/items')
  @HttpCode(200)
  createItems(@ProjectId() projectId: string, @Param('id') id: string, @Body() body: unknown) {
    return this.conversations.createItems(projectId, id, body);
  }

  @Get(':id/items')
  listItems(@ProjectId() projectId: string, @Param('id') id: string, @Query() query: unknown) {
    return this.conversations.listItems(projectId, id, parseOrThrow(listQuerySchema, query));
  }

  @Get(':id/items/:itemId')
  retrieveItem(@ProjectId() projectId: string, @Param('id') id: string, @Param('itemId') itemId: string) {
    return this.conversations.retrieveItem(projectId, id, itemId);
  }

  @Delete(':id/items/:itemId')
  @HttpCode(200)
  deleteItem(@ProjectId() projectId: string, @Param('id') id: string, @Param('itemId') itemId: string) {
    return this.conversations.deleteItem(projectId, id, itemId);
  }
}
