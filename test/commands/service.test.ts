import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse as parsePlist } from 'plist'
import { runServiceInstall } from '../../src/commands/service.js'
import { LAUNCHD_LABEL, renderLaunchdPlist, renderSystemdUnit, type ServiceSpec } from '../../src/commands/service-files.js'
import { makeWorkDir, runVds, writeConfig } from './run-vds.js'

const BUILT_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))

const spec = (dir: string): ServiceSpec => ({
  nodePath: '/usr/local/bin/node',
  cliPath: '/opt/vds/dist/cli.js',
  configFile: path.join(dir, 'config.yaml'),
  workingDirectory: dir,
  searchPath: '/opt/homebrew/bin:/usr/bin:/bin',
  writableDirs: [path.join(dir, 'data')],
})

test('service install --dry-run prints a systemd unit with absolute paths and writes nothing', { timeout: 60_000 }, async (t) => {
  const dir = makeWorkDir(t)
  writeConfig(dir, 'tls:\n  enabled: false\n')
  const run = await runVds(['service', 'install', '--dry-run'], { cwd: dir })
  assert.equal(run.code, 0, run.stderr)
  const configFile = path.join(dir, 'config.yaml')
  assert.match(run.stdout, new RegExp(`^ExecStart=${process.execPath} ${BUILT_CLI} serve --config ${configFile}$`, 'm'))
  assert.ok(path.isAbsolute(process.execPath) && path.isAbsolute(BUILT_CLI))
  for (const line of ['Restart=on-failure', `WorkingDirectory=${dir}`, 'KillSignal=SIGTERM', 'TimeoutStopSec=30', 'NoNewPrivileges=true', 'ProtectSystem=full', 'WantedBy=multi-user.target']) {
    assert.ok(run.stdout.split('\n').includes(line), line)
  }
  assert.match(run.stdout, new RegExp(`^ReadWritePaths=.*-${path.join(dir, 'data')}`, 'm'))
  assert.match(run.stderr, /would write \/etc\/systemd\/system\/vds\.service/)
})

test('service install --user writes a user unit and prints how to enable it', { timeout: 60_000 }, async (t) => {
  const dir = makeWorkDir(t)
  writeConfig(dir, 'tls:\n  enabled: false\n')
  const configHome = path.join(dir, 'xdg')
  const run = await runVds(['service', 'install', '--user'], { cwd: dir, env: { HOME: dir, XDG_CONFIG_HOME: configHome } })
  assert.equal(run.code, 0, run.stderr)
  const unit = readFileSync(path.join(configHome, 'systemd', 'user', 'vds.service'), 'utf8')
  assert.match(unit, /^WantedBy=default\.target$/m)
  assert.doesNotMatch(unit, /^(User|ProtectSystem)=/m, 'a user manager runs it as its owner, without system-only options')
  assert.match(run.stdout, /systemctl --user enable --now vds/)
})

test('service install without a config file says to run vds init', { timeout: 60_000 }, async (t) => {
  const dir = makeWorkDir(t)
  const run = await runVds(['service', 'install', '--dry-run'], { cwd: dir })
  assert.equal(run.code, 1)
  assert.match(run.stderr, /vds init/)
})

test('the systemd unit quotes paths with spaces and escapes % and $', (t) => {
  const dir = path.join(makeWorkDir(t), 'My Videos 100%')
  const unit = renderSystemdUnit({ ...spec(dir), nodePath: '/opt/node $HOME/bin/node' }, { scope: 'system', runAs: 'anna' })
  assert.match(unit, /^User=anna$/m)
  assert.ok(unit.includes(`ExecStart="/opt/node $$HOME/bin/node" /opt/vds/dist/cli.js serve --config "${dir.replace('%', '%%')}/config.yaml"`), unit)
  assert.ok(unit.includes(`WorkingDirectory=${dir.replace('%', '%%')}\n`))
})

test('the launchd plist keeps the server alive and logs to files', (t) => {
  const dir = makeWorkDir(t)
  const parsed = parsePlist(renderLaunchdPlist(spec(dir), path.join(dir, 'logs'))) as Record<string, unknown>
  assert.equal(parsed.Label, LAUNCHD_LABEL)
  assert.deepEqual(parsed.ProgramArguments, ['/usr/local/bin/node', '/opt/vds/dist/cli.js', 'serve', '--config', path.join(dir, 'config.yaml')])
  assert.equal(parsed.WorkingDirectory, dir)
  assert.equal(parsed.RunAtLoad, true)
  assert.equal(parsed.KeepAlive, true)
  assert.equal(parsed.StandardOutPath, path.join(dir, 'logs', 'launchd.out.log'))
  assert.equal(parsed.StandardErrorPath, path.join(dir, 'logs', 'launchd.err.log'))
  assert.deepEqual(parsed.EnvironmentVariables, { PATH: '/opt/homebrew/bin:/usr/bin:/bin', NODE_ENV: 'production' })
})

test('on macOS the plist goes to ~/Library/LaunchAgents with the launchctl command', async (t) => {
  const dir = makeWorkDir(t)
  const configFile = writeConfig(dir, 'logging:\n  file: null\n')
  let out = ''
  let err = ''
  const code = await runServiceInstall({
    configFile,
    dryRun: true,
    platform: 'darwin',
    env: { PATH: '/usr/bin' },
    out: (text) => (out += text),
    err: (text) => (err += text),
  })
  assert.equal(code, 0, err)
  assert.match(err, /Library\/LaunchAgents\/com\.videodownloadserver\.vds\.plist/)
  assert.equal((parsePlist(out) as { Label: string }).Label, LAUNCHD_LABEL)
  assert.ok(!existsSync(path.join(dir, 'Library')))
})

test('other platforms are refused with a hint', async (t) => {
  const configFile = writeConfig(makeWorkDir(t), '{}\n')
  let err = ''
  const code = await runServiceInstall({ configFile, dryRun: true, platform: 'win32', env: {}, out: () => {}, err: (text) => (err += text) })
  assert.equal(code, 1)
  assert.match(err, /vds serve/)
})
