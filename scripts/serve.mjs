// A small static file server for the built page (no dependencies).
//   node scripts/serve.mjs [dir=build/web] [--port 8080] [--host 127.0.0.1]
// Prints "mm-playground: http://HOST:PORT/" and serves until stopped. If the
// default port is busy it tries the next ones; an explicit --port is exact.
// Also imported by tests/web/page.test.mjs: startServer({ root, port: 0 }).
// Every response carries the page's Content-Security-Policy (scripts/csp.mjs),
// except the single-file offline pages (*-offline.html), whose own <meta>
// policy allows their inline scripts by hash: they only get frame-ancestors.
// Every response may be read cross-origin (Access-Control-Allow-Origin: *),
// so <mm-playground> works on a course page of another site.
import http from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SERVED_CSP_HEADER } from './csp.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

function resolveFile(root, urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null;
  }
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (file !== root && !file.startsWith(root + path.sep)) return null; // outside root
  try {
    const st = statSync(file);
    if (st.isDirectory()) return resolveFile(root, path.posix.join(urlPath.split('?')[0], 'index.html'));
    return st.isFile() ? { file, size: st.size } : null;
  } catch {
    return null;
  }
}

function handler(root) {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const found = resolveFile(root, req.url || '/');
    if (!found) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(found.file)] || 'application/octet-stream',
      'Content-Length': found.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': found.file.endsWith('-offline.html') ? 'frame-ancestors *' : SERVED_CSP_HEADER,
      // A course page on another site loads js/element.js (and what it
      // imports) as a module script: module scripts are always fetched with
      // CORS. Everything here is public and fetched without credentials.
      'Access-Control-Allow-Origin': '*',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(found.file).pipe(res);
  };
}

/** Starts serving `root`; resolves to { server, url, port }. port 0 picks a free one. */
export function startServer({ root, port = 0, host = '127.0.0.1', tries = 1 } = {}) {
  const dir = path.resolve(root);
  return new Promise((resolve, reject) => {
    const attempt = (p, left) => {
      const server = http.createServer(handler(dir));
      server.once('error', (err) => {
        if (err.code === 'EADDRINUSE' && left > 1) attempt(p + 1, left - 1);
        else reject(err);
      });
      server.listen(p, host, () => {
        const { port: actual } = server.address();
        resolve({ server, port: actual, url: `http://${host}:${actual}/` });
      });
    };
    attempt(port, tries);
  });
}

async function main(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  let root = path.join(here, '..', 'build', 'web');
  let port = Number(process.env.PORT) || 8080;
  let tries = process.env.PORT ? 1 : 20;
  let host = '127.0.0.1';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') ((port = Number(argv[++i])), (tries = 1));
    else if (argv[i] === '--host') host = argv[++i];
    else root = argv[i];
  }
  const { server, url } = await startServer({ root, port, host, tries });
  console.log(`mm-playground: ${url}`);
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.(); // idle keep-alive sockets would delay close()
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`serve: ${err.message}`);
    process.exit(1);
  });
}
