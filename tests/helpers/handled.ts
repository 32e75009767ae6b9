import type { IncomingMessage, ServerResponse } from 'node:http';

/** An async request handler for node:http whose failure answers 500 instead of escaping as an unhandled rejection. */
export const handled =
  (run: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => (req: IncomingMessage, res: ServerResponse) =>
    void run(req, res).catch((error: unknown) =>
      res.headersSent ? res.destroy() : res.writeHead(500).end(String(error)),
    );
