/** What every `assay` command is, and the option parsing they share. */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { z } from 'zod'
import { CliError } from './cli-error.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { describeIssues } from '../../shared/validation.ts'

export type Command = { summary: string; usage: string; run(args: string[]): Promise<void> }

/** Parses a command's options, turning parseArgs' errors into a usage message. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usageLine: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new CliError(`${errorMessage(error)}\nusage: ${usageLine}`)
  }
}

export function requireOption(value: string | boolean | undefined, name: string, usageLine: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new CliError(`--${name} is required.\nusage: ${usageLine}`)
  return value
}

/** An option's value through the schema the HTTP API gives the same field, so the command line stores nothing the API would refuse, and cleans it alike. */
export function checkOption<S extends z.ZodType>(schema: S, value: string, name: string, usageLine: string): z.output<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw new CliError(`--${name}: ${describeIssues(result.error)}\nusage: ${usageLine}`)
  return result.data
}
