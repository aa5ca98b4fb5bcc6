import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of one server, for network-cut tests: the adapter points
 * at the proxy, and `cut()` drops all traffic both ways, as a partition does (nothing is
 * reset: bytes wait, and connections opened meanwhile are held) until `restore()`.
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private held: Socket[] = [];
  private cutting = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("[taskflow] [tests] the proxy has no port");
    const proxy = new TcpProxy(server, address.port, target);
    server.on("connection", (client) => proxy.accept(client));
    return proxy;
  }

  get isCut(): boolean {
    return this.cutting;
  }

  get host(): string {
    return "127.0.0.1";
  }

  cut(): void {
    this.cutting = true;
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream.pause();
    }
  }

  restore(): void {
    this.cutting = false;
    for (const { client, upstream } of this.pairs) {
      client.resume();
      upstream.resume();
    }
    const held = this.held;
    this.held = [];
    for (const client of held) this.forward(client);
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    for (const client of this.held) client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on("error", () => client.destroy());
    if (this.cutting) {
      client.pause();
      this.held.push(client);
      return;
    }
    this.forward(client);
  }

  private forward(client: Socket): void {
    const upstream = connect(this.target);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }
}
