// The steps both Shortcuts share: the key (asked when the Shortcut is added, so the file holds no
// secret), the submit request, and the workflow's own settings (share sheet, URLs only).
import type { PlistObject } from './workflow-values.js'
import {
  attachment,
  SHORTCUT_INPUT,
  textDictionary,
  tokenString,
  variable,
  type ImportQuestion,
  type Reference,
  type WorkflowAction,
  type WorkflowBuilder,
} from './workflow-values.js'

/** The named variable holding the API key in both Shortcuts. */
export const KEY_VARIABLE = 'key'

/**
 * A Text action the import question fills with the key, then Set Variable `key`. The question is
 * why the same signed file serves every phone: Shortcuts asks for the key when it is added.
 */
export function askForKey(workflow: WorkflowBuilder): ImportQuestion {
  const index = workflow.nextIndex()
  const keyText = workflow.output('gettext', 'Text', { WFTextActionText: '' })
  workflow.add('setvariable', { WFInput: attachment(keyText), WFVariableName: KEY_VARIABLE })
  return {
    ActionIndex: index,
    Category: 'Parameter',
    ParameterKey: 'WFTextActionText',
    Text: 'Your API key: paste the key the pairing page showed (it starts with vds_)',
    DefaultValue: '',
  }
}

/** The X-API-Key header from the `key` variable. */
export const keyHeader = (): PlistObject => textDictionary([['X-API-Key', tokenString(variable(KEY_VARIABLE))]])

/** Get Contents of URL: POST {server}/api/v1/download, JSON {"url": Shortcut Input}, the key header. */
export function submitSharedLink(workflow: WorkflowBuilder, serverUrl: string): Reference {
  return workflow.output('downloadurl', 'Contents of URL', {
    WFURL: `${serverUrl}/api/v1/download`,
    WFHTTPMethod: 'POST',
    Advanced: true,
    ShowHeaders: true,
    WFHTTPHeaders: keyHeader(),
    WFHTTPBodyType: 'JSON',
    WFJSONValues: textDictionary([['url', tokenString(SHORTCUT_INPUT)]]),
  })
}

/** Get Dictionary Value: the value for `key` in `input`. */
export const dictionaryValue = (workflow: WorkflowBuilder, input: Reference, key: string): Reference =>
  workflow.output('getvalueforkey', 'Dictionary Value', { WFInput: attachment(input), WFDictionaryKey: key, WFGetDictionaryValueType: 'Value' })

export const showNotification = (workflow: WorkflowBuilder, body: PlistObject | string, title: string) =>
  workflow.add('notification', { WFNotificationActionTitle: title, WFNotificationActionBody: body })

/** The server's answer as it came (an error's code and message say what to change). */
export const showResult = (workflow: WorkflowBuilder, answer: Reference) => workflow.add('showresult', { Text: tokenString(answer) })

export interface WorkflowSettings {
  name: string
  actions: WorkflowAction[]
  questions: ImportQuestion[]
  /** icon colour as Shortcuts stores it (RGBA as an unsigned 32-bit integer) */
  color: number
}

/** The top level of the property list: a share-sheet Shortcut that receives URLs. */
export function workflowFile(settings: WorkflowSettings): PlistObject {
  return {
    WFWorkflowName: settings.name,
    WFWorkflowActions: settings.actions,
    WFWorkflowClientVersion: '2302.0.4',
    WFWorkflowMinimumClientVersion: 900,
    WFWorkflowMinimumClientVersionString: '900',
    WFWorkflowIcon: { WFWorkflowIconStartColor: settings.color, WFWorkflowIconGlyphNumber: 59511 },
    WFWorkflowImportQuestions: settings.questions,
    WFWorkflowTypes: ['ActionExtension'],
    WFWorkflowInputContentItemClasses: ['WFURLContentItem'],
    WFWorkflowHasShortcutInputVariables: true,
    // "If there's no input: Stop and Respond", as docs/ios-setup.md has it.
    WFWorkflowNoInputBehavior: {
      Name: 'WFWorkflowNoInputBehaviorShowError',
      Parameters: { Error: 'Share a TikTok or Instagram link to this Shortcut (Share → More → the Shortcut).' },
    },
    WFWorkflowHasOutputFallback: false,
    WFWorkflowOutputContentItemClasses: [],
    WFQuickActionSurfaces: [],
  }
}
