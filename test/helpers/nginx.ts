/**
 * Debian's nginx as an unprivileged foreground process in a folder of its own,
 * running the documented configuration (deploy/nginx.conf) with the test's
 * ports filled in: the load balancer the README tells operators to use.
 */
import { spawn } from 'node:child_process'
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { executablePath } from './services.ts'
import { tempDir } from './test-server.ts'
import { waitFor } from './wait-for.ts'

export const NGINX_CONFIG = fileURLToPath(new URL('../../deploy/nginx.conf', import.meta.url))

/** The documented configuration with these instances and this listening port instead of its examples. */
function fillNginxConfig(template: string, instancePorts: number[], listenPort: number): string {
  const instance = /^( *)server 127\.0\.0\.1:\d+( [^;\n]*)?;\n/gm
  const first = instance.exec(template)
  if (!first) throw new Error(`${NGINX_CONFIG} names no instance (server 127.0.0.1:PORT ...;)`)
  const [, indent = '', parameters = ''] = first
  const instances = instancePorts.map((port) => `${indent}server 127.0.0.1:${port}${parameters};\n`).join('')
  let examples = 0
  const filled = template.replace(instance, () => (examples++ === 0 ? instances : ''))
  const listen = /^( *)listen \d+;$/m
  if (!listen.test(filled)) throw new Error(`${NGINX_CONFIG} has no "listen PORT;" line`)
  return filled.replace(listen, `$1listen 127.0.0.1:${listenPort};`)
}

export type Nginx = { url: string; wsUrl: string; stop(): Promise<void> }

export async function startNginx(instancePorts: number[]): Promise<Nginx> {
  const nginx = executablePath('nginx')
  if (!nginx) throw new Error('nginx is not installed')
  // The free port is free when asked, not necessarily when nginx binds it: another try takes another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(nginx, instancePorts, await freePort())
    } catch (error) {
      if (attempt === 3 || !String(error).includes('Address already in use')) throw error
    }
  }
}

async function launch(nginx: string, instancePorts: number[], port: number): Promise<Nginx> {
  const dir = tempDir('assay-nginx-')
  // Run as root (CI), nginx's workers switch to an unprivileged user that must reach the temporary paths.
  chmodSync(dir, 0o755)
  writeFileSync(join(dir, 'assay.conf'), fillNginxConfig(readFileSync(NGINX_CONFIG, 'utf8'), instancePorts, port))
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '    access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `    ${kind}_temp_path ${dir}/${kind};`),
      `    include ${dir}/assay.conf;`,
      '}',
    ].join('\n'),
  )
  const child = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    // SIGTERM is nginx's fast shutdown: the master stops its workers, then exits.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await Promise.race([
      waitFor(() => accepts(port), `nginx to listen on port ${port}`),
      exited.then(() => Promise.reject(new Error(`nginx exited with ${child.exitCode}: ${stderr}`))),
    ])
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws`, stop }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
