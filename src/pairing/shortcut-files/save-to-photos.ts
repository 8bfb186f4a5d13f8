// "Save to Photos": queue the shared link, wait on the server's long poll until the download has
// ended, then save every file through its signed file_url (docs/ios-setup.md, "Save to Photos").
import type { PlistObject } from './workflow-values.js'
import { askForKey, dictionaryValue, keyHeader, showNotification, showResult, submitSharedLink, workflowFile } from './api-steps.js'
import { attachment, Condition, conditionInput, createWorkflowBuilder, REPEAT_ITEM, tokenString, variable } from './workflow-values.js'

export const SAVE_TO_PHOTOS = 'Save to Photos'

/** Seconds the server holds each status request (SPEC §2 allows 1–120). */
export const STATUS_WAIT_SECONDS = 60
/**
 * Status requests at most. Shortcuts' Repeat cannot stop early, but once the download has ended
 * every further request answers at once, so 10 rounds wait up to 10 minutes and cost little after.
 */
export const STATUS_ROUNDS = 10

export function buildSaveToPhotos(serverUrl: string): PlistObject {
  const workflow = createWorkflowBuilder(SAVE_TO_PHOTOS)
  const keyQuestion = askForKey(workflow)
  const submitted = submitSharedLink(workflow, serverUrl)
  const downloadId = dictionaryValue(workflow, submitted, 'download_id')
  // Not queued (wrong key, site not allowed, ...): show the server's answer and stop.
  workflow.block('conditional', { WFInput: conditionInput(downloadId), WFCondition: Condition.hasNoValue }, () => {
    showResult(workflow, submitted)
    workflow.add('exit', {})
  })
  workflow.add('setvariable', { WFInput: attachment(downloadId), WFVariableName: 'id' })

  workflow.block('repeat.count', { WFRepeatCount: STATUS_ROUNDS }, () => {
    const polled = workflow.output('downloadurl', 'Contents of URL', {
      WFURL: tokenString(`${serverUrl}/api/v1/status/`, variable('id'), `?wait=${STATUS_WAIT_SECONDS}`),
      WFHTTPMethod: 'GET',
      Advanced: true,
      ShowHeaders: true,
      WFHTTPHeaders: keyHeader(),
    })
    workflow.add('setvariable', { WFInput: attachment(polled), WFVariableName: 'download' })
  })

  const status = dictionaryValue(workflow, variable('download'), 'status')
  workflow.block('conditional', { WFInput: conditionInput(status), WFCondition: Condition.isNot, WFConditionalActionString: 'completed' }, () => {
    const why = dictionaryValue(workflow, variable('download'), 'error_message')
    showNotification(workflow, tokenString('Not saved: the download is ', status, '. ', why), SAVE_TO_PHOTOS)
    workflow.add('exit', {})
  })

  // An Instagram carousel or a TikTok slideshow has several files: each one goes to Photos.
  const files = dictionaryValue(workflow, variable('download'), 'files')
  workflow.block('repeat.each', { WFInput: attachment(files) }, () => {
    const fileUrl = dictionaryValue(workflow, REPEAT_ITEM, 'file_url')
    // No key: file_url is a signed link that works on its own (security.file_link_ttl_hours).
    const media = workflow.output('downloadurl', 'Contents of URL', { WFURL: tokenString(fileUrl), WFHTTPMethod: 'GET' })
    workflow.add('savetocameraroll', { WFInput: attachment(media), WFCameraRollSelectedGroup: 'Recents' })
  })
  showNotification(workflow, 'Saved to Photos', SAVE_TO_PHOTOS)
  return workflowFile({ name: SAVE_TO_PHOTOS, actions: workflow.actions, questions: [keyQuestion], color: 4292093695 })
}
