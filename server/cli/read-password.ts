/**
 * Reads a password for the command line: typed at a terminal without echo, or
 * the first line of standard input when it is a pipe (scripts, tests).
 */
import { CliError } from './cli-error.ts'

export async function readPassword(prompt: string, options: { confirm?: boolean } = {}): Promise<string> {
  if (!process.stdin.isTTY) return firstLine(process.stdin)
  const password = await promptHidden(prompt)
  if (options.confirm && (await promptHidden('Again, to confirm: ')) !== password) throw new CliError('The two passwords differ.')
  return password
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
}

function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin
  return new Promise((resolve, reject) => {
    let typed: string[] = []
    const finish = (error?: CliError) => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(typed.join(''))
    }
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish()
        if (char === '\u0003') return finish(new CliError('Cancelled.'))
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1)
        else if (char >= ' ') typed.push(char)
      }
    }
    process.stderr.write(prompt)
    stdin.setEncoding('utf8')
    stdin.setRawMode(true)
    stdin.resume()
    stdin.on('data', onData)
  })
}
