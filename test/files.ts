// Files for tests of `input_file`: a tiny PDF that is valid (header, objects, a cross-reference
// table whose offsets are right, trailer), so the mock's PDF check and any real reader accept it.

/** A one-page PDF that says `text` (ASCII), built with a correct cross-reference table. */
export function tinyPdf(text = 'Hello from a PDF'): Buffer {
  const content = `BT /F1 12 Tf 20 100 Td (${text.replace(/[\\()]/g, (character) => `\\${character}`)}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** `data:<type>;base64,<bytes>`, as `input_file.file_data` carries a file. */
export function dataUrl(mediaType: string, bytes: Buffer | string): string {
  return `data:${mediaType};base64,${Buffer.from(bytes).toString('base64')}`;
}
