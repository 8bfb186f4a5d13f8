// The pieces of an Apple Shortcuts workflow property list (the file a `.shortcut` holds before
// `shortcuts sign`): actions, their parameters, and the ways a parameter refers to a variable.
// Apple does not document the format. The identifiers and parameter names used here were checked
// against two open compilers that produce files Shortcuts imports:
// - electrikmilk/cherri: actions/web.cherri (is.workflow.actions.downloadurl: WFURL, WFHTTPMethod,
//   WFHTTPHeaders, WFHTTPBodyType "JSON", WFJSONValues), actions/photos.cherri (savetocameraroll:
//   WFInput, WFCameraRollSelectedGroup "Recents"), actions/basic.cherri (gettext: WFTextActionText;
//   getvalueforkey: WFInput, WFDictionaryKey, WFGetDictionaryValueType "Value"; notification:
//   WFNotificationActionBody; showresult: Text; exit), shortcutgen.go (repeat.count: WFRepeatCount,
//   repeat.each: WFInput, GroupingIdentifier, WFControlFlowMode 0 start / 1 middle / 2 end;
//   conditional: WFInput {Type: Variable, Variable}, WFCondition, WFConditionalActionString),
//   shortcut.go (conditions: 4 is, 5 is not, 100 has any value, 101 does not have any value;
//   workflow type "ActionExtension" = Show in Share Sheet), variables.go (Shortcut Input is
//   {Type: ExtensionInput}, Repeat Item is the variable "Repeat Item"), and
//   examples/import-questions_expected.plist (WFWorkflowImportQuestions entries: ActionIndex,
//   Category "Parameter", ParameterKey, Text, DefaultValue);
// - pfgithub/scpl: docs/actions/getcontentsofurl.md (the same downloadurl parameters, ShowHeaders).
import { createHash } from 'node:crypto'
import type { PlistValue } from 'plist'

/** A plist dictionary (the plist package types only the values). */
export type PlistObject = { [key: string]: PlistValue }

/** The character a text token puts where a variable goes (U+FFFC OBJECT REPLACEMENT CHARACTER). */
export const VARIABLE_SLOT = '\uFFFC'

/** Something a parameter can refer to: an earlier action's output, a named variable, the input. */
export type Reference =
  | { Type: 'ActionOutput'; OutputUUID: string; OutputName: string }
  | { Type: 'Variable'; VariableName: string }
  | { Type: 'ExtensionInput' }

export const SHORTCUT_INPUT: Reference = { Type: 'ExtensionInput' }
export const REPEAT_ITEM: Reference = { Type: 'Variable', VariableName: 'Repeat Item' }
export const variable = (name: string): Reference => ({ Type: 'Variable', VariableName: name })

/** A parameter that is one variable as a whole (an action's input). */
export function attachment(ref: Reference): PlistObject {
  return { Value: { ...ref }, WFSerializationType: 'WFTextTokenAttachment' }
}

/**
 * Text with variables in it: `parts` alternates plain strings and references, e.g.
 * `['https://x/status/', variable('id'), '?wait=60']`. Offsets count UTF-16 units, as Shortcuts does.
 */
export function tokenString(...parts: Array<string | Reference>): PlistObject {
  let text = ''
  const attachmentsByRange: Record<string, PlistValue> = {}
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part
    } else {
      attachmentsByRange[`{${text.length}, 1}`] = { ...part }
      text += VARIABLE_SLOT
    }
  }
  const value: Record<string, PlistValue> = { string: text }
  if (Object.keys(attachmentsByRange).length > 0) value.attachmentsByRange = attachmentsByRange
  return { Value: value, WFSerializationType: 'WFTextTokenString' }
}

/** A dictionary parameter (headers, a JSON body) whose entries are all text (WFItemType 0). */
export function textDictionary(entries: Array<[string, PlistObject]>): PlistObject {
  return {
    Value: { WFDictionaryFieldValueItems: entries.map(([key, value]) => ({ WFItemType: 0, WFKey: tokenString(key), WFValue: value })) },
    WFSerializationType: 'WFDictionaryFieldValue',
  }
}

/** The If action's left-hand side. */
export const conditionInput = (ref: Reference): PlistObject => ({ Type: 'Variable', Variable: attachment(ref) })

/** WFCondition codes of the If action (cherri shortcut.go). */
export const Condition = { is: 4, isNot: 5, hasAnyValue: 100, hasNoValue: 101 } as const

export const ControlFlow = { start: 0, middle: 1, end: 2 } as const

export type WorkflowAction = PlistObject & {
  WFWorkflowActionIdentifier: string
  WFWorkflowActionParameters: PlistObject
}

/** One import question: asked when the Shortcut is added, its answer becomes the parameter. */
export type ImportQuestion = PlistObject & {
  ActionIndex: number
  Category: 'Parameter'
  ParameterKey: string
  Text: string
  DefaultValue: string
}

/**
 * Builds one workflow's action list. UUIDs come from the workflow's name and a counter, so the
 * same server URL always gives the same bytes (and the same signed file can be cached).
 */
export function createWorkflowBuilder(workflowName: string) {
  const actions: WorkflowAction[] = []
  let counter = 0
  const uuid = () => {
    const hex = createHash('sha256').update(`${workflowName}\n${counter++}`).digest('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`.toUpperCase()
  }

  const add = (identifier: string, parameters: PlistObject): WorkflowAction => {
    const action: WorkflowAction = { WFWorkflowActionIdentifier: `is.workflow.actions.${identifier}`, WFWorkflowActionParameters: parameters }
    actions.push(action)
    return action
  }

  return {
    actions,
    /** Adds an action whose output later actions use; returns the reference to that output. */
    output(identifier: string, outputName: string, parameters: PlistObject): Reference {
      const id = uuid()
      add(identifier, { ...parameters, UUID: id })
      return { Type: 'ActionOutput', OutputUUID: id, OutputName: outputName }
    },
    add,
    /** The index the next action will have (import questions name actions by index). */
    nextIndex: () => actions.length,
    /** A block (Repeat, Repeat with Each, If): start parameters, the body, optional Otherwise, end. */
    block(identifier: string, start: PlistObject, body: () => void, otherwise?: () => void) {
      const group = uuid()
      add(identifier, { ...start, GroupingIdentifier: group, WFControlFlowMode: ControlFlow.start })
      body()
      if (otherwise) {
        add(identifier, { GroupingIdentifier: group, WFControlFlowMode: ControlFlow.middle })
        otherwise()
      }
      add(identifier, { GroupingIdentifier: group, WFControlFlowMode: ControlFlow.end, UUID: uuid() })
    },
  }
}

export type WorkflowBuilder = ReturnType<typeof createWorkflowBuilder>
