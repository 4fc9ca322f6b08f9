// A tiny WebSocket client for the integration tests, on Node's built-in
// WebSocket (node 20 needs --experimental-websocket) or, in raw mode, on a
// plain socket so protocol violations can be sent on purpose.
//
//   node ws_client.mjs URL [--send TEXT]... [--send-after-first TEXT] [--timeout S]
//     prints one JSON line per event: {"kind":"open"}, {"kind":"message","data":...},
//     {"kind":"close","code":N,"reason":"..."}, {"kind":"timeout"}
//   node ws_client.mjs --raw HOST PORT PATH CASE
//     CASE: unmasked | binary | oversize | badutf8 | fragmented-ping | close
//     sends a handshake, then the crafted frames; prints the server's first
//     frames as {"kind":"frame","opcode":N,"code":N?,"text":...} lines.
import net from 'node:net';
import crypto from 'node:crypto';

const args = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

if (args[0] === '--raw') {
  raw(args[1], Number(args[2]), args[3], args[4]);
} else {
  normal(args);
}

function normal(argv) {
  const url = argv[0];
  const sends = [];
  const afterFirst = [];
  let timeout = 60;
  for (let i = 1; i < argv.length; i += 2) {
    if (argv[i] === '--send') sends.push(argv[i + 1]);
    else if (argv[i] === '--send-after-first') afterFirst.push(argv[i + 1]);
    else if (argv[i] === '--timeout') timeout = Number(argv[i + 1]);
  }
  const ws = new WebSocket(url);
  let first = true;
  const timer = setTimeout(() => { out({ kind: 'timeout' }); process.exit(2); }, timeout * 1000);
  ws.onopen = () => { out({ kind: 'open' }); for (const s of sends) ws.send(s); };
  ws.onmessage = (ev) => {
    let data = ev.data;
    try { data = JSON.parse(ev.data); } catch { /* keep the text */ }
    out({ kind: 'message', data });
    if (first) { first = false; for (const s of afterFirst) ws.send(s); }
  };
  ws.onerror = () => out({ kind: 'error' });
  ws.onclose = (ev) => {
    out({ kind: 'close', code: ev.code, reason: ev.reason });
    clearTimeout(timer);
    process.exit(0);
  };
}

function frame(opcode, payload, { fin = true, mask = true } = {}) {
  const body = Buffer.from(payload);
  const head = [((fin ? 0x80 : 0) | opcode)];
  const m = mask ? 0x80 : 0;
  if (body.length < 126) head.push(m | body.length);
  else if (body.length < 65536) head.push(m | 126, body.length >> 8, body.length & 255);
  else {
    head.push(m | 127, 0, 0, 0, 0);
    head.push((body.length >>> 24) & 255, (body.length >>> 16) & 255, (body.length >>> 8) & 255, body.length & 255);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), body]);
  const key = crypto.randomBytes(4);
  const masked = Buffer.from(body.map((b, i) => b ^ key[i & 3]));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

function raw(host, port, path, kase) {
  const sock = net.connect(port, host);
  const key = crypto.randomBytes(16).toString('base64');
  let buf = Buffer.alloc(0);
  let upgraded = false;
  const timer = setTimeout(() => { out({ kind: 'timeout' }); process.exit(2); }, 15000);
  sock.on('connect', () => {
    sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    if (!upgraded) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString();
      buf = buf.subarray(end + 4);
      const status = Number(head.split(' ')[1]);
      const accept = (head.match(/sec-websocket-accept:\s*(\S+)/i) || [])[1];
      const want = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      out({ kind: 'handshake', status, accept_ok: accept === want });
      if (status !== 101) { sock.destroy(); process.exit(0); }
      upgraded = true;
      send(kase);
    }
    while (buf.length >= 2) {
      let len = buf[1] & 127, off = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
      if (buf.length < off + len) return;
      const opcode = buf[0] & 15;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      const o = { kind: 'frame', opcode, masked: (buf[1] & 128) !== 0 };
      if (opcode === 8) { o.code = payload.length >= 2 ? payload.readUInt16BE(0) : null; o.text = payload.subarray(2).toString(); }
      else o.text = payload.toString();
      out(o);
    }
  });
  sock.on('close', () => { out({ kind: 'eof' }); clearTimeout(timer); process.exit(0); });
  sock.on('error', () => {});

  function send(k) {
    switch (k) {
      case 'unmasked': sock.write(frame(1, 'ping', { mask: false })); break;
      case 'binary': sock.write(frame(2, Buffer.from([1, 2, 3]))); break;
      case 'oversize': sock.write(frame(1, 'x'.repeat(70000))); break;
      case 'badutf8': sock.write(frame(1, Buffer.from([0xff, 0xfe]))); break;
      case 'fragmented-ping':
        // "ping" in two fragments with a control ping in between.
        sock.write(Buffer.concat([frame(1, 'pi', { fin: false }), frame(9, 'hb'), frame(0, 'ng')]));
        setTimeout(() => sock.write(frame(8, Buffer.from([0x03, 0xe8]))), 300);
        break;
      case 'close': sock.write(frame(8, Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65]))); break;
      default: out({ kind: 'bad-case' }); process.exit(3);
    }
  }
}
