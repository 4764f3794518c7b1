// The sample's page: plain JavaScript over the library's endpoints (no framework, no build step).
'use strict';
const $ = (selector) => document.querySelector(selector);
const params = new URLSearchParams(location.search);
const throttle = Number(params.get('throttle') ?? 0); // ms before each upload chunk: to watch progress on loopback
const digests = JSON.parse(localStorage.getItem('digests') ?? '{}');

// Video: seeks are range requests; the server counts the statuses it answered.
const video = $('#video');
document.querySelectorAll('[data-seek]').forEach((button) => {
  button.onclick = () => { video.currentTime = Number(button.dataset.seek); video.play(); };
});
async function refreshStats() {
  const stats = await (await fetch('api/stats')).json();
  $('#stats').textContent = Object.entries(stats).map(([status, count]) => `${count} × ${status}`).join(', ') || 'none';
}
setInterval(refreshStats, 1000);

// Files: the app's listing, each file's ETag from a HEAD to MapFiles, the digest its upload answered with.
async function refreshFiles() {
  const list = await (await fetch('api/files')).json();
  const rows = [];
  for (const file of [...list.demo, ...list.uploads]) {
    const head = await fetch(file.url, { method: 'HEAD' });
    rows.push(`<tr><td><a href="${file.url}">${escape(file.name)}</a></td><td>${file.size.toLocaleString()} B</td>`
      + `<td><code>${escape(head.headers.get('ETag') ?? '')}</code></td><td><code>${escape(digests[file.name] ?? '')}</code></td></tr>`);
  }
  $('#files tbody').innerHTML = rows.join('');
}
const escape = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
refreshFiles();

// Uploads: tus-js-client against MapTusUploads. Its fingerprints in localStorage let a reloaded page resume an upload
// of the same file from where the server has it.
function upload(file) {
  const row = document.createElement('div');
  row.className = 'upload';
  row.innerHTML = `<span class="name"></span><progress max="1" value="0"></progress><span class="rate"></span><button>Pause</button>`;
  row.querySelector('.name').textContent = file.name;
  $('#uploads').append(row);
  const progress = row.querySelector('progress');
  const rate = row.querySelector('.rate');
  const button = row.querySelector('button');
  let paused = false;
  let last = { time: performance.now(), bytes: 0 };
  const upload = new tus.Upload(file, {
    endpoint: new URL('uploads/tus', document.baseURI).href, // relative to the page: the app may sit under a path base
    chunkSize: 4 * 1024 * 1024,
    retryDelays: [0, 1000, 3000, 5000],
    metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
    // RFC 9530: the server hashes an upload only when asked; the page shows the digest, so it asks.
    headers: { 'Want-Repr-Digest': 'sha-256=10' },
    removeFingerprintOnSuccess: true,
    onBeforeRequest: () => (throttle > 0 ? new Promise((resolve) => setTimeout(resolve, throttle)) : undefined),
    onAfterResponse(request, response) {
      if (request.getMethod() === 'HEAD') row.dataset.resumedFrom = response.getHeader('Upload-Offset') ?? '';
    },
    onProgress(sent, total) {
      progress.value = sent / total;
      row.dataset.progress = (sent / total).toFixed(3);
      const now = performance.now();
      if (now - last.time > 500) {
        rate.textContent = `${((sent - last.bytes) / ((now - last.time) / 1000) / 1048576).toFixed(1)} MiB/s`;
        last = { time: now, bytes: sent };
      }
    },
    onSuccess({ lastResponse }) {
      digests[file.name] = lastResponse.getHeader('Repr-Digest') ?? '';
      localStorage.setItem('digests', JSON.stringify(digests));
      row.dataset.state = 'done';
      rate.textContent = 'done';
      button.remove();
      refreshFiles();
    },
    onError(error) { row.dataset.state = 'error'; rate.textContent = `error: ${error.message}`; },
  });
  button.onclick = async () => {
    paused = !paused;
    button.textContent = paused ? 'Resume' : 'Pause';
    row.dataset.state = paused ? 'paused' : 'uploading';
    if (paused) await upload.abort(); else upload.start();
  };
  row.dataset.state = 'uploading';
  upload.findPreviousUploads().then((previous) => {
    if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  });
}
$('#upload-input').onchange = (event) => [...event.target.files].forEach(upload);
const drop = $('#drop');
drop.ondragover = (event) => { event.preventDefault(); drop.classList.add('over'); };
drop.ondragleave = () => drop.classList.remove('over');
drop.ondrop = (event) => { event.preventDefault(); drop.classList.remove('over'); [...event.dataTransfer.files].forEach(upload); };

// One multipart form: all its files published, or none.
$('#form').onsubmit = async (event) => {
  event.preventDefault();
  const response = await fetch('uploads', { method: 'POST', body: new FormData(event.target) });
  $('#form-result').textContent = `${response.status}: ${await response.text()}`;
  refreshFiles();
};

// Live output: the response body read as it arrives; Stop aborts the fetch, and the server kills the program.
let ticker = null;
$('#ticker-start').onclick = async () => {
  ticker = new AbortController();
  $('#ticker').textContent = '';
  $('#ticker-start').disabled = true;
  $('#ticker-stop').disabled = false;
  $('#ticker-status').textContent = 'running';
  try {
    const response = await fetch('run/ticker', { signal: ticker.signal });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      $('#ticker').textContent += value;
      $('#ticker').scrollTop = $('#ticker').scrollHeight;
    }
    $('#ticker-status').textContent = 'finished';
  } catch (error) {
    $('#ticker-status').textContent = error.name === 'AbortError' ? 'stopped' : `error: ${error.message}`;
  } finally {
    $('#ticker-start').disabled = false;
    $('#ticker-stop').disabled = true;
  }
};
$('#ticker-stop').onclick = () => ticker?.abort();

// SHA-256 of a file, computed by sha256sum on the server while the file is uploaded into its stdin.
$('#sha-input').onchange = async (event) => {
  const file = event.target.files[0];
  $('#sha-result').textContent = 'computing…';
  const response = await fetch('run/sha256', { method: 'POST', body: file });
  $('#sha-result').textContent = (await response.text()).split(' ')[0];
};
