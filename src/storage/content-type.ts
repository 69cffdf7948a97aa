/** A Content-Type for files never written through S3, guessed from the file name's extension. */

const DEFAULT_TYPE = 'application/octet-stream';

// Small on purpose: the types data tools meet most; everything else is octet-stream, as S3 itself defaults.
const BY_EXTENSION: Record<string, string> = {
  // text and code
  txt: 'text/plain', text: 'text/plain', log: 'text/plain', md: 'text/markdown', csv: 'text/csv',
  tsv: 'text/tab-separated-values', html: 'text/html', htm: 'text/html', css: 'text/css',
  js: 'text/javascript', mjs: 'text/javascript', xml: 'application/xml', yaml: 'application/yaml',
  yml: 'application/yaml', ics: 'text/calendar',
  // structured data
  json: 'application/json', jsonl: 'application/jsonl', ndjson: 'application/x-ndjson',
  parquet: 'application/vnd.apache.parquet', avro: 'application/avro',
  arrow: 'application/vnd.apache.arrow.file', pdf: 'application/pdf', wasm: 'application/wasm',
  // images
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  svg: 'image/svg+xml', bmp: 'image/bmp', tif: 'image/tiff', tiff: 'image/tiff', ico: 'image/vnd.microsoft.icon',
  avif: 'image/avif', heic: 'image/heic',
  // audio and video
  mp3: 'audio/mpeg', wav: 'audio/wav', flac: 'audio/flac', ogg: 'audio/ogg', m4a: 'audio/mp4', aac: 'audio/aac',
  mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', mkv: 'video/x-matroska', webm: 'video/webm',
  avi: 'video/x-msvideo',
  // archives and compressed data
  zip: 'application/zip', gz: 'application/gzip', tgz: 'application/gzip', tar: 'application/x-tar',
  bz2: 'application/x-bzip2', xz: 'application/x-xz', zst: 'application/zstd', '7z': 'application/x-7z-compressed',
  rar: 'application/vnd.rar',
  // documents
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** The Content-Type implied by the last segment's extension (case-insensitive); octet-stream if unknown. */
export function contentTypeFor(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return DEFAULT_TYPE; // no extension, or a dot file such as '.env'
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_TYPE;
}
