import { type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy of the tests' own between one replica and PostgreSQL: `cut()` drops every connection
 * through it and refuses new ones (a partition), `restore()` lets them through again.
 */
export interface Proxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<Proxy> {
  const open = new Set<Socket>();
  let blocked = false;
  const server: Server = createServer((client) => {
    if (blocked) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut() {
      blocked = true;
      for (const s of open) s.destroy();
    },
    restore() {
      blocked = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
