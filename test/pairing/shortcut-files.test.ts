// The two Shortcuts as Apple workflow property lists, read back with the same plist library:
// the actions in order, the URLs, the key header, the long poll, the loop over `files` and the save
// to Photos, and that the file asks for the key on import instead of holding one.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parse } from 'plist'
import { SHORTCUT_FILES, unsignedShortcut } from '../../src/pairing/shortcut-files/shortcut-catalog.js'
import { VARIABLE_SLOT } from '../../src/pairing/shortcut-files/workflow-values.js'

const SERVER = 'https://vds.example:8443'
type Dict = Record<string, unknown>
interface Action {
  WFWorkflowActionIdentifier: string
  WFWorkflowActionParameters: Dict
}

function workflowOf(slug: string): Dict {
  const file = SHORTCUT_FILES.find((candidate) => candidate.slug === slug)!
  // A trailing slash in the configured URL must not give "//api".
  return parse(unsignedShortcut(file, `${SERVER}/`)) as Dict
}

const actionsOf = (workflow: Dict) => workflow.WFWorkflowActions as Action[]
const ids = (actions: Action[]) => actions.map((action) => action.WFWorkflowActionIdentifier.replace('is.workflow.actions.', ''))
const params = (action: Action | undefined) => action!.WFWorkflowActionParameters

/** What a reference points at, in words: "Shortcut Input", "variable key", "output of <action index>". */
function describe(ref: Dict, actions: Action[]): string {
  if (ref.Type === 'ExtensionInput') return 'Shortcut Input'
  if (ref.Type === 'Variable') return `variable ${String(ref.VariableName)}`
  if (ref.Type === 'ActionOutput') return `output of ${actions.findIndex((action) => params(action).UUID === ref.OutputUUID)}`
  throw new Error(`unknown reference ${JSON.stringify(ref)}`)
}

/** A text token as text, each variable slot replaced by [what it refers to]. */
function textOf(token: unknown, actions: Action[]): string {
  if (typeof token === 'string') return token
  const value = (token as Dict).Value as { string: string; attachmentsByRange?: Record<string, Dict> }
  assert.equal((token as Dict).WFSerializationType, 'WFTextTokenString')
  let text = ''
  for (let i = 0; i < value.string.length; i++) {
    const ref = value.attachmentsByRange?.[`{${i}, 1}`]
    if (value.string[i] === VARIABLE_SLOT) {
      assert.ok(ref, `slot ${i} has an attachment`)
      text += `[${describe(ref, actions)}]`
    } else text += value.string[i]
  }
  return text
}

/** An action input (one whole variable). */
function inputOf(parameter: unknown, actions: Action[]): string {
  assert.equal((parameter as Dict).WFSerializationType, 'WFTextTokenAttachment')
  return describe((parameter as Dict).Value as Dict, actions)
}

/** A text dictionary (headers, JSON body) as { key: text }. */
function dictionaryOf(parameter: unknown, actions: Action[]): Record<string, string> {
  assert.equal((parameter as Dict).WFSerializationType, 'WFDictionaryFieldValue')
  const items = ((parameter as Dict).Value as { WFDictionaryFieldValueItems: Dict[] }).WFDictionaryFieldValueItems
  return Object.fromEntries(items.map((item) => [textOf(item.WFKey, actions), textOf(item.WFValue, actions)]))
}

/** Every block opens and closes with the same GroupingIdentifier, properly nested. */
function assertBlocksNest(actions: Action[]) {
  const open: string[] = []
  for (const action of actions) {
    const { GroupingIdentifier: group, WFControlFlowMode: mode } = params(action)
    if (group === undefined) continue
    if (mode === 0) open.push(String(group))
    else assert.equal(open.at(-1), group, `${action.WFWorkflowActionIdentifier} closes the innermost block`)
    if (mode === 2) open.pop()
  }
  assert.deepEqual(open, [], 'every block is closed')
}

function assertAsksForKey(workflow: Dict, actions: Action[]) {
  const [question, ...more] = workflow.WFWorkflowImportQuestions as Dict[]
  assert.equal(more.length, 0)
  assert.equal(question!.Category, 'Parameter')
  assert.equal(question!.ParameterKey, 'WFTextActionText')
  assert.equal(question!.DefaultValue, '')
  const asked = actions[question!.ActionIndex as number]
  assert.equal(asked?.WFWorkflowActionIdentifier, 'is.workflow.actions.gettext', 'the question fills the Text action')
  assert.equal(params(asked).WFTextActionText, '', 'the file holds no key')
  assert.deepEqual(params(actions[1]), { WFInput: params(actions[1]).WFInput, WFVariableName: 'key' })
  assert.equal(inputOf(params(actions[1]).WFInput, actions), 'output of 0')
  // A share-sheet Shortcut that receives links.
  assert.deepEqual(workflow.WFWorkflowTypes, ['ActionExtension'])
  assert.deepEqual(workflow.WFWorkflowInputContentItemClasses, ['WFURLContentItem'])
  assert.equal(workflow.WFWorkflowHasShortcutInputVariables, true)
}

function assertSubmits(submit: Action | undefined, actions: Action[]) {
  assert.equal(submit?.WFWorkflowActionIdentifier, 'is.workflow.actions.downloadurl')
  const p = params(submit)
  assert.equal(p.WFURL, `${SERVER}/api/v1/download`)
  assert.equal(p.WFHTTPMethod, 'POST')
  assert.equal(p.WFHTTPBodyType, 'JSON')
  assert.deepEqual(dictionaryOf(p.WFJSONValues, actions), { url: '[Shortcut Input]' })
  assert.deepEqual(dictionaryOf(p.WFHTTPHeaders, actions), { 'X-API-Key': '[variable key]' })
}

test('Download Video: key question, POST /api/v1/download with {url} and X-API-Key, then the message or the whole answer', () => {
  const workflow = workflowOf('download-video')
  const actions = actionsOf(workflow)
  assert.deepEqual(ids(actions), ['gettext', 'setvariable', 'downloadurl', 'getvalueforkey', 'conditional', 'notification', 'conditional', 'showresult', 'conditional'])
  assertAsksForKey(workflow, actions)
  assertSubmits(actions[2], actions)
  assert.deepEqual(params(actions[3]).WFDictionaryKey, 'message')
  assert.equal(inputOf(params(actions[3]).WFInput, actions), 'output of 2')
  assert.equal(params(actions[4]).WFCondition, 100, 'If the message has any value')
  assert.equal(inputOf((params(actions[4]).WFInput as Dict).Variable, actions), 'output of 3')
  assert.equal(textOf(params(actions[5]).WFNotificationActionBody, actions), '[output of 3]')
  assert.equal(params(actions[6]).WFControlFlowMode, 1, 'Otherwise')
  assert.equal(textOf(params(actions[7]).Text, actions), '[output of 2]', "an error answer is shown as it came")
  assertBlocksNest(actions)
  assert.equal(workflow.WFWorkflowName, 'Download Video')
})

test('Save to Photos: submit, Repeat 10 × GET /status/{id}?wait=60, stop unless completed, Repeat with Each file → its file_url → Save to Photo Album', () => {
  const workflow = workflowOf('save-to-photos')
  const actions = actionsOf(workflow)
  assert.deepEqual(ids(actions), [
    'gettext', 'setvariable', // 0-1 the key
    'downloadurl', 'getvalueforkey', 'conditional', 'showresult', 'exit', 'conditional', 'setvariable', // 2-8 submit, id
    'repeat.count', 'downloadurl', 'setvariable', 'repeat.count', // 9-12 the long poll
    'getvalueforkey', 'conditional', 'getvalueforkey', 'notification', 'exit', 'conditional', // 13-18 not completed: say why, stop
    'getvalueforkey', 'repeat.each', 'getvalueforkey', 'downloadurl', 'savetocameraroll', 'repeat.each', // 19-24 every file
    'notification',
  ])
  assertAsksForKey(workflow, actions)
  assertSubmits(actions[2], actions)
  assert.equal(params(actions[3]).WFDictionaryKey, 'download_id')
  assert.equal(params(actions[4]).WFCondition, 101, 'no download_id: not queued')
  assert.equal(textOf(params(actions[5]).Text, actions), '[output of 2]')
  assert.deepEqual([params(actions[8]).WFVariableName, inputOf(params(actions[8]).WFInput, actions)], ['id', 'output of 3'])

  assert.equal(params(actions[9]).WFRepeatCount, 10)
  const poll = params(actions[10])
  assert.equal(textOf(poll.WFURL, actions), `${SERVER}/api/v1/status/[variable id]?wait=60`)
  assert.equal(poll.WFHTTPMethod, 'GET')
  assert.deepEqual(dictionaryOf(poll.WFHTTPHeaders, actions), { 'X-API-Key': '[variable key]' })
  assert.deepEqual([params(actions[11]).WFVariableName, inputOf(params(actions[11]).WFInput, actions)], ['download', 'output of 10'])

  assert.deepEqual([params(actions[13]).WFDictionaryKey, inputOf(params(actions[13]).WFInput, actions)], ['status', 'variable download'])
  assert.equal(params(actions[14]).WFCondition, 5, 'If status is not …')
  assert.equal(params(actions[14]).WFConditionalActionString, 'completed')
  assert.equal(inputOf((params(actions[14]).WFInput as Dict).Variable, actions), 'output of 13')
  assert.equal(params(actions[15]).WFDictionaryKey, 'error_message')
  assert.equal(textOf(params(actions[16]).WFNotificationActionBody, actions), 'Not saved: the download is [output of 13]. [output of 15]')

  assert.deepEqual([params(actions[19]).WFDictionaryKey, inputOf(params(actions[19]).WFInput, actions)], ['files', 'variable download'])
  assert.equal(inputOf(params(actions[20]).WFInput, actions), 'output of 19', 'Repeat with Each item in files')
  assert.deepEqual([params(actions[21]).WFDictionaryKey, inputOf(params(actions[21]).WFInput, actions)], ['file_url', 'variable Repeat Item'])
  const fetchFile = params(actions[22])
  assert.equal(textOf(fetchFile.WFURL, actions), '[output of 21]')
  assert.equal(fetchFile.WFHTTPHeaders, undefined, 'no key: the file_url is a signed link')
  assert.deepEqual([inputOf(params(actions[23]).WFInput, actions), params(actions[23]).WFCameraRollSelectedGroup], ['output of 22', 'Recents'])
  assertBlocksNest(actions)
})

test('the same server URL gives the same bytes (one signed copy serves every phone); another URL changes only the URLs and the slots after them', () => {
  const slotsAnywhere = (xml: string) => xml.replace(/\{\d+, 1\}/g, '{n, 1}')
  for (const file of SHORTCUT_FILES) {
    const first = unsignedShortcut(file, SERVER)
    assert.equal(unsignedShortcut(file, SERVER), first)
    assert.doesNotMatch(first, /vds_[A-Za-z0-9_-]{20,}/, 'no key in the file')
    const other = unsignedShortcut(file, 'https://pi.local:9443')
    assert.notEqual(other, first)
    assert.equal(slotsAnywhere(other.replaceAll('https://pi.local:9443', SERVER)), slotsAnywhere(first))
  }
})
