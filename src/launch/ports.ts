/** Whether a TCP port can be listened on, checked by listening on it for a moment. */
import { createServer } from 'node:net';

export type PortState = 'free' | 'in_use' | { readonly error: string };

export function checkPort(host: string, port: number): Promise<PortState> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES') resolve(e.code === 'EADDRINUSE' ? 'in_use' : { error: `no permission to listen on port ${port}` });
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') resolve({ error: `${host} is not an address of this machine` });
      else resolve({ error: e.message });
    });
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve('free')));
  });
}
