/**
 * Real servers for tests: ClickHouse (one node, or a 2-shard cluster) and Redis, each started
 * in a fresh temp dir on free loopback ports with a generated config, and stopped (dir removed)
 * by `stop()`. The binaries come from Debian (scripts/services.sh installs them); when one is
 * missing, starting fails with a message that says how to install it — tests never skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;

export interface RunningService {
  stop(): Promise<void>;
}

export interface ClickHouseNode extends RunningService {
  /** HTTP endpoint, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly tcpPort: number;
}

export interface ClickHouseCluster extends RunningService {
  /** The cluster name in every node's `remote_servers`. */
  readonly name: string;
  /** One node per shard, in shard order. */
  readonly nodes: readonly ClickHouseNode[];
}

export interface RedisService extends RunningService {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
}

function requireBinary(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') {
    throw new Error(
      `${name} is not installed: run "bash scripts/services.sh" (installs Debian's clickhouse-server and redis-server)`,
    );
  }
  return path;
}

/** A port the OS reports free right now (bind to 0, read it, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Starts a server process; its last stderr lines are printed if it dies on its own. */
function launch(command: string, args: readonly string[], dir: string): ChildProcess {
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.setEncoding('utf8');
  let stderr = '';
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  // A test process that dies without its after() hooks must not leave servers behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', (code, signal) => {
    process.removeListener('exit', killOnExit);
    if (code !== 0 && signal === null) {
      process.stderr.write(`${command} exited with ${code}: ${stderr}\n`);
    }
  });
  return child;
}

/** SIGTERM, SIGKILL after a grace period, then the temp dir goes. */
async function terminate(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
}

async function waitFor(what: string, child: ChildProcess, ready: () => Promise<boolean>) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not answer within ${START_TIMEOUT_MS} ms`);
}

interface NodePorts {
  readonly http: number;
  readonly tcp: number;
  readonly interserver: number;
}

async function allocatePorts(): Promise<NodePorts> {
  return { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
}

/** remote_servers entry of a cluster with one single-replica shard per node. */
function remoteServers(name: string, shards: readonly NodePorts[]): string {
  const shardXml = shards
    .map((p) => `<shard><replica><host>${HOST}</host><port>${p.tcp}</port></replica></shard>`)
    .join('');
  return `<remote_servers><${name}>${shardXml}</${name}></remote_servers>`;
}

/** A config that listens on loopback only and keeps everything inside `dir`. */
function clickHouseConfig(dir: string, ports: NodePorts, extra: string): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog></logger>
  <listen_host>${HOST}</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>${HOST}</interserver_http_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <mlock_executable>false</mlock_executable>
  ${extra}
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>${HOST}</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
`;

async function startClickHouseNode(
  ports: NodePorts,
  extraConfig: string,
  prepare: (dir: string) => { config?: string; users?: string } = () => ({}),
): Promise<ClickHouseNode & { readonly dir: string }> {
  const binary = requireBinary('clickhouse-server');
  const dir = mkdtempSync(join(tmpdir(), 'tally-clickhouse-'));
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub));
  const prepared = prepare(dir);
  writeFileSync(
    join(dir, 'config.xml'),
    clickHouseConfig(dir, ports, `${extraConfig}${prepared.config ?? ''}`),
  );
  writeFileSync(join(dir, 'users.xml'), prepared.users ?? USERS_XML);
  const child = launch(binary, [`--config-file=${join(dir, 'config.xml')}`], dir);
  const url = `http://${HOST}:${ports.http}`;
  const stop = () => terminate(child, dir);
  try {
    await waitFor('clickhouse-server', child, async () => (await fetch(`${url}/ping`)).ok);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, tcpPort: ports.tcp, stop, dir };
}

export interface SecuredClickHouse extends RunningService {
  /** `https://127.0.0.1:PORT`, its certificate signed by `ca`. */
  readonly httpsUrl: string;
  /** The plain HTTP endpoint of the same server. */
  readonly url: string;
  readonly ca: string;
  readonly user: string;
  readonly password: string;
}

/**
 * A ClickHouse server as a managed service has it: an `https://` port whose certificate a
 * private CA signed (made here with Debian's openssl), and a user with a password beside the
 * passwordless default user.
 */
export async function startSecuredClickHouse(): Promise<SecuredClickHouse> {
  const openssl = requireBinary('openssl');
  const httpsPort = await freePort();
  const user = 'tally';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  let ca = '';
  const node = await startClickHouseNode(await allocatePorts(), '', (dir) => {
    const run = (...args: string[]) => {
      const result = spawnSync(openssl, args, { cwd: dir, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`openssl ${args[0]}: ${result.stderr}`);
    };
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=tally test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    );
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${HOST}`,
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    );
    writeFileSync(join(dir, 'san.cnf'), `subjectAltName=IP:${HOST}\n`);
    run(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'san.cnf',
      '-out',
      'server.pem',
    );
    ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    return {
      config: `<https_port>${httpsPort}</https_port>
  <openSSL><server><certificateFile>${dir}/server.pem</certificateFile>
    <privateKeyFile>${dir}/server.key</privateKeyFile><verificationMode>none</verificationMode>
    <loadDefaultCAFile>false</loadDefaultCAFile><cacheSessions>true</cacheSessions>
    <disableProtocols>sslv2,sslv3</disableProtocols><preferServerCiphers>true</preferServerCiphers>
  </server></openSSL>`,
      users: USERS_XML.replace(
        '</users>',
        `<${user}><password>${password}</password><networks><ip>${HOST}</ip></networks>
    <profile>default</profile><quota>default</quota></${user}></users>`,
      ),
    };
  });
  return { ...node, httpsUrl: `https://${HOST}:${httpsPort}`, ca, user, password };
}

/** One ClickHouse server on free loopback ports. */
export async function startClickHouse(): Promise<ClickHouseNode> {
  return startClickHouseNode(await allocatePorts(), '');
}

/** `shards` ClickHouse servers, each knowing all of them as cluster `name` (one shard each). */
export async function startClickHouseCluster(
  shards = 2,
  name = 'tally_test',
): Promise<ClickHouseCluster> {
  const ports: NodePorts[] = [];
  for (let i = 0; i < shards; i++) ports.push(await allocatePorts());
  const config = remoteServers(name, ports);
  const nodes = await Promise.allSettled(ports.map((p) => startClickHouseNode(p, config)));
  const started = nodes.flatMap((n) => (n.status === 'fulfilled' ? [n.value] : []));
  const stop = async () => {
    await Promise.all(started.map((n) => n.stop()));
  };
  const failed = nodes.find((n) => n.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { name, nodes: started, stop };
}

/** A redis-server without persistence on a free loopback port. */
export async function startRedis(): Promise<RedisService> {
  const binary = requireBinary('redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'tally-redis-'));
  const port = await freePort();
  const child = launch(
    binary,
    ['--bind', HOST, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
    dir,
  );
  const stop = () => terminate(child, dir);
  try {
    await waitFor('redis-server', child, () => redisPing(port));
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://${HOST}:${port}`, stop };
}

/** True when redis answers PING on the port (inline command, no client library needed). */
async function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, HOST, () => socket.write('PING\r\n'));
    socket.setEncoding('utf8');
    socket.once('data', (data: string) => {
      socket.destroy();
      resolve(data.startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}
