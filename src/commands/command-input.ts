// What every `vds` subcommand receives from the dispatcher in src/cli.ts, and small helpers to read it.
import path from 'node:path'
import { DEFAULT_CONFIG_FILE } from '../core/config.js'

/** The parsed command line, minus the command name. */
export interface CommandInput {
  /** `--config FILE`, if given */
  configFile: string | undefined
  /** words after the command name */
  positionals: string[]
  /** every parsed option, by long name */
  values: Record<string, string | boolean | undefined>
}

/** Exit codes shared by the subcommands (sysexits.h values where one fits). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** EX_CONFIG: the configuration is invalid; src/cli.ts uses the same value */
  config: 78,
} as const

/** A string option's value, or undefined when it was not given. */
export function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.values[name]
  return typeof value === 'string' ? value : undefined
}

/** True when a boolean flag was given. */
export function flag(input: CommandInput, name: string): boolean {
  return input.values[name] === true
}

/**
 * The config file a command works on, as an absolute path: `--config`, else `VDS_CONFIG`, else
 * ./config.yaml — the same order `loadConfig` uses.
 */
export function configFilePath(configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(configFile ?? env.VDS_CONFIG ?? DEFAULT_CONFIG_FILE)
}
