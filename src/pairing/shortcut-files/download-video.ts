// "Download Video": queue the shared link and confirm it (docs/ios-setup.md section 3).
import type { PlistObject } from './workflow-values.js'
import { askForKey, dictionaryValue, showNotification, showResult, submitSharedLink, workflowFile } from './api-steps.js'
import { Condition, conditionInput, createWorkflowBuilder, tokenString } from './workflow-values.js'

export const DOWNLOAD_VIDEO = 'Download Video'

export function buildDownloadVideo(serverUrl: string): PlistObject {
  const workflow = createWorkflowBuilder(DOWNLOAD_VIDEO)
  const keyQuestion = askForKey(workflow)
  const answer = submitSharedLink(workflow, serverUrl)
  const message = dictionaryValue(workflow, answer, 'message')
  // A 2xx answer has "message" ("Download queued"); an error has only error.code and error.message,
  // so the whole answer is shown instead: it says what to change.
  workflow.block(
    'conditional',
    { WFInput: conditionInput(message), WFCondition: Condition.hasAnyValue },
    () => showNotification(workflow, tokenString(message), DOWNLOAD_VIDEO),
    () => showResult(workflow, answer),
  )
  return workflowFile({ name: DOWNLOAD_VIDEO, actions: workflow.actions, questions: [keyQuestion], color: 463140863 })
}
