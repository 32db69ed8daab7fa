import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../../..");
const binary = join(root, "target/release/server");

/**
 * The settings that raise the per-client limits for servers under test (every test client
 * comes from 127.0.0.1): `scripts/test-limits.env`, the one place the Rust tests and the
 * benchmark read them from too.
 */
const raisedLimits: Record<string, string> = Object.fromEntries(
  readFileSync(join(root, "scripts/test-limits.env"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split("=", 2) as [string, string]),
);

/** A listening socket on 127.0.0.1: on a port the kernel picks (0), or on `port` again. */
async function bindLoopback(port: number): Promise<Server> {
  return new Promise((done, fail) => {
    const listener = createServer();
    listener.once("error", fail);
    listener.listen({ port, host: "127.0.0.1", backlog: 4096 }, () => done(listener));
  });
}

/** The port a listening socket got. */
function portOf(listener: Server): number {
  const address = listener.address();
  return typeof address === "object" && address ? address.port : 0;
}

/**
 * The real release server binary, started with a fresh data directory on a socket bound here
 * first and handed over as systemd does (`LISTEN_FDS`, descriptor 3): no race for a free port,
 * nothing read from the server's log. `restart()` stops it and starts it again on the same
 * port and data, as an operator would.
 */
export class TestServer {
  private process?: ChildProcess;
  log = "";

  private constructor(
    public port: number,
    readonly dataDir: string,
    /** The PostgreSQL database the server keeps its data in; files in `dataDir` when absent. */
    readonly databaseUrl?: string,
    /** More environment for the server (`STAFF_PASSWORD`, say). */
    readonly env: Record<string, string> = {},
  ) {}

  static async start(
    options: { databaseUrl?: string; env?: Record<string, string> } = {},
  ): Promise<TestServer> {
    const dataDir = mkdtempSync(join(tmpdir(), "tiempo-real-e2e-"));
    const server = new TestServer(0, dataDir, options.databaseUrl, options.env);
    await server.launch();
    return server;
  }

  /** Another instance sharing this one's database. */
  async sibling(): Promise<TestServer> {
    const server = new TestServer(0, this.dataDir, this.databaseUrl, this.env);
    await server.launch();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Binds its port (the same one after the first time), starts the server on it, and waits
   * until it answers (the request waits in the socket's queue until the server accepts it). */
  async launch(): Promise<void> {
    const listener = await bindLoopback(this.port);
    this.port = portOf(listener);
    const fd: number = (listener as any)._handle.fd;
    const child = spawn(binary, [], {
      cwd: root,
      env: {
        ...process.env,
        HOST: "127.0.0.1",
        DATA_DIR: this.dataDir,
        SEED_EXAMPLES: "false",
        LEPTOS_SITE_ROOT: join(root, "target/site"),
        LEPTOS_OUTPUT_NAME: "tiempo_real",
        LEPTOS_ENV: "PROD",
        RUST_LOG: "info",
        ...raisedLimits,
        DATABASE_URL: this.databaseUrl ?? "",
        ...this.env,
        LISTEN_FDS: "1",
      },
      // The listening socket becomes the server's descriptor 3.
      stdio: ["ignore", "pipe", "pipe", fd],
    });
    listener.close();
    child.stdout?.on("data", (chunk) => (this.log += chunk));
    child.stderr?.on("data", (chunk) => (this.log += chunk));
    this.process = child;
    const exited = new Promise<never>((_, fail) =>
      child.once("exit", (code) => fail(new Error(`server exited early (${code}):\n${this.log}`))),
    );
    const answered = fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(15_000) });
    const response = await Promise.race([answered, exited]);
    if (!response.ok) throw new Error(`server did not become healthy:\n${this.log}`);
  }

  /**
   * Runs `server staff ARGS` against this server's store, as an operator beside it would;
   * `stdin` is the password line where one is read. Throws with its message if it fails.
   */
  staffCommand(args: string[], stdin = ""): string {
    return execFileSync(binary, ["staff", ...args], {
      cwd: root,
      input: stdin,
      env: { ...process.env, DATA_DIR: this.dataDir, DATABASE_URL: this.databaseUrl ?? "" },
      encoding: "utf8",
    });
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }

  /** What an API client sends to act as staff (nothing when the catalog is open). */
  staffHeader(): Record<string, string> {
    return staffHeaderFor(this.env);
  }

  /** DELETE a product through the HTTP API. */
  async deleteProduct(id: number): Promise<void> {
    const response = await fetch(`${this.url}/api/products/${id}`, {
      method: "DELETE",
      headers: this.staffHeader(),
    });
    if (response.status !== 200) throw new Error(`delete failed: ${response.status}`);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** POST a CSV file to the import endpoint and return the answer's status and body. */
  async importCsv(csv: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.url}/api/products/import`, {
      method: "POST",
      headers: { "content-type": "text/csv", ...this.staffHeader() },
      body: csv,
    });
    return { status: response.status, body: await response.json() };
  }

  /** PUT a partial update through the HTTP API. */
  async updateProduct(id: number, fields: Record<string, unknown>): Promise<any> {
    const response = await fetch(`${this.url}/api/products/${id}`, {
      method: "PUT",
      headers: { "content-type": "application/json", ...this.staffHeader() },
      body: JSON.stringify(fields),
    });
    if (response.status !== 200) throw new Error(`update failed: ${response.status}`);
    return response.json();
  }

  /** POST a product through the HTTP API and return what the server answered. */
  async createProduct(fields: Record<string, unknown>): Promise<any> {
    const response = await fetch(`${this.url}/api/products`, {
      method: "POST",
      headers: { "content-type": "application/json", ...this.staffHeader() },
      body: JSON.stringify(fields),
    });
    if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
    return response.json();
  }
}

/** The staff password's bearer header, when the server has one. */
function staffHeaderFor(env: Record<string, string>): Record<string, string> {
  return env.STAFF_PASSWORD ? { authorization: `Bearer ${env.STAFF_PASSWORD}` } : {};
}

/** A CSV of `count` products coded `${prefix}-00001`... (the import's format). */
export function catalogCsv(count: number, prefix = "P"): string {
  const rows = ["code,title,description,price,stock,category"];
  for (let n = 1; n <= count; n++) {
    const code = `${prefix}-${String(n).padStart(5, "0")}`;
    rows.push(`${code},Producto ${code},Descripción de ${code},${n}.5,${n % 50},varios`);
  }
  return rows.join("\n") + "\n";
}

/** A complete, valid product whose code and title are unique to this call. */
let counter = 0;
export function sampleProduct(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const tag = `${process.pid}-${counter}-${Date.now() % 100000}`;
  return {
    title: `Producto ${tag}`,
    description: `Descripción del producto ${tag}`,
    code: `COD-${tag}`,
    price: 199.9,
    stock: 7,
    category: "pruebas",
    ...overrides,
  };
}

/**
 * A new, empty database on the run's PostgreSQL cluster (`TEST_DATABASE_URL`, which
 * scripts/test.sh starts), for servers that share it.
 */
export function freshDatabase(): string {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error("TEST_DATABASE_URL is not set: run the tests with scripts/test.sh");
  const name = `e2e_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  execFileSync("psql", [admin, "-q", "-c", `CREATE DATABASE ${name}`]);
  return admin.replace(/\/[^/]*$/, `/${name}`);
}
