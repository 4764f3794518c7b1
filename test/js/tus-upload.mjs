// Uploads one file with tus-js-client and prints one JSON line of what happened, for the C# tests
// (test/AspNetStreaming.Tests/Clients/TusJsClientTests.cs). Exit code 0 when the upload succeeded or was aborted
// as asked, 1 when the client reported an error, 2 on bad arguments.
//
//   node tus-upload.mjs --endpoint http://127.0.0.1:PORT/r/name.bin --file PATH --protocol ietf-draft-05
//        --source stream|file|buffer --chunk-size BYTES [--data-during-creation]
//        [--abort-after BYTES [--resume-on-input]] [--upload-url URL]
//        [--filename NAME] [--parallel N] [--checksum sha1|md5|sha256]
//
// --abort-after: once the server has accepted at least that many bytes (onChunkComplete), abort the upload (no
//   request is in flight then) and print {"event":"aborted","url":…}; the C# test resumes it with a second run.
// --resume-on-input: after that abort, wait for a line on stdin, then start() the same Upload again (tus-js-client's
//   pause/resume in one process: a HEAD for the offset, then PATCHes), and print the final result as well.
// --upload-url: resume that upload (a HEAD for the offset, then PATCHes) instead of creating one.
// --filename: the metadata's filename (tus-v1 takes the file name from it; the IETF drafts from the endpoint).
// --parallel: tus-v1 parallelUploads (partial uploads, then a final concatenation).
// --checksum: an Upload-Checksum (tus-v1) or Content-Digest (IETF drafts; sha256/sha512) on every PATCH, computed here over the chunk the PATCH carries (tus-js-client has
//   no checksum option of its own; onBeforeRequest knows the chunk from Upload-Offset and the chunk size).
//   --corrupt-checksum sends a wrong one instead (the server must refuse it with 460). The result line counts them.
//
// Sources: "buffer" is the whole file in a Buffer; "file" is an fs.ReadStream (tus-js-client reads it by path,
// with random access, and calls a slice done only when it is the whole file, so a chunked upload's last append says
// Upload-Complete: ?0); "stream" is a plain Readable (tus-js-client's StreamSource: forward only, and it learns of
// the end one read after the last byte, so its last append may say Upload-Complete: ?0 too). A plain stream can only
// be resumed in the process that read it (--resume-on-input): StreamSource cannot skip ahead, so a new process
// given --upload-url fails with "slice start is outside of buffer".
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { parseArgs } from 'node:util';
import { Upload } from 'tus-js-client';

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      endpoint: { type: 'string' },
      file: { type: 'string' },
      protocol: { type: 'string' },
      source: { type: 'string' },
      'chunk-size': { type: 'string' },
      'data-during-creation': { type: 'boolean', default: false },
      'abort-after': { type: 'string' },
      'resume-on-input': { type: 'boolean', default: false },
      'upload-url': { type: 'string' },
      filename: { type: 'string' },
      parallel: { type: 'string' },
      checksum: { type: 'string' },
      'corrupt-checksum': { type: 'boolean', default: false },
    },
    strict: true,
  }));
  for (const required of ['file', 'protocol', 'source', 'chunk-size']) {
    if (args[required] === undefined) throw new Error(`--${required} is required`);
  }
} catch (error) {
  console.error(`tus-upload: ${error.message}`);
  process.exit(2);
}

const size = fs.statSync(args.file).size;
const chunkSize = Number(args['chunk-size']);
let abortAfter = args['abort-after'] === undefined ? null : Number(args['abort-after']); // one abort only

function openSource(kind) {
  switch (kind) {
    case 'buffer':
      return fs.readFileSync(args.file);
    case 'file':
      return fs.createReadStream(args.file);
    case 'stream': // not an fs.ReadStream any more, so tus-js-client cannot read it by path
      return fs.createReadStream(args.file).pipe(new PassThrough());
    default:
      throw new Error(`unknown --source ${kind}`);
  }
}

let chunks = 0;
let accepted = 0;
let checksummed = 0;
const done = (result, code) => {
  process.stdout.write(`${JSON.stringify({ chunks, accepted, checksummed, ...result })}\n`);
  process.exitCode = code;
};

const whole = args.checksum ? fs.readFileSync(args.file) : null;
function addChecksum(request) {
  const offset = request.getHeader('Upload-Offset');
  if (whole === null || request.getMethod() !== 'PATCH' || offset === undefined) return;
  const start = Number(offset);
  const chunk = whole.subarray(start, Math.min(start + chunkSize, whole.length));
  const digest = crypto.createHash(args.checksum).update(chunk).digest();
  if (args['corrupt-checksum']) digest[0] ^= 0xff;
  if (args.protocol === 'tus-v1') {
    request.setHeader('Upload-Checksum', `${args.checksum} ${digest.toString('base64')}`);
  } else { // the IETF drafts: RFC 9530's Content-Digest of the append's content (sha256 → sha-256)
    request.setHeader('Content-Digest', `${args.checksum.replace('sha', 'sha-')}=:${digest.toString('base64')}:`);
  }
  checksummed += 1;
}

const upload = new Upload(openSource(args.source), {
  endpoint: args.endpoint ?? null,
  metadata: args.filename ? { filename: args.filename, filetype: 'application/octet-stream' } : {},
  parallelUploads: args.parallel ? Number(args.parallel) : 1,
  onBeforeRequest: addChecksum,
  uploadUrl: args['upload-url'] ?? null,
  protocol: args.protocol,
  chunkSize,
  uploadSize: args.parallel ? null : size, // required for a plain stream; refused with parallelUploads
  uploadDataDuringCreation: args['data-during-creation'],
  retryDelays: null, // fail fast: the tests want the first error, not a retry loop
  storeFingerprintForResuming: false, // resuming is the test's job (--upload-url), not a URL store on disk
  onChunkComplete(chunk, bytesAccepted, bytesTotal) {
    chunks += 1;
    accepted = bytesAccepted;
    if (abortAfter !== null && bytesAccepted >= abortAfter && bytesAccepted < bytesTotal) {
      abortAfter = null;
      upload.abort().then(() => {
        done({ event: 'aborted', url: upload.url }, 0);
        if (args['resume-on-input']) {
          process.stdin.once('data', () => {
            process.stdin.destroy(); // read once; let the process end when the upload does
            upload.start();
          });
        }
      });
    }
  },
  onSuccess({ lastResponse }) {
    done({
      event: 'success',
      url: upload.url,
      status: lastResponse.getStatus(),
      interop: lastResponse.getHeader('Upload-Draft-Interop-Version') ?? null, // the version the server answered in
    }, 0);
  },
  onError(error) {
    const response = error.originalResponse;
    done({
      event: 'error',
      url: upload.url,
      status: response ? response.getStatus() : null,
      body: response ? response.getBody() : null,
      message: error.message,
    }, 1);
  },
});
upload.start();
