// Turns Fastify's schema-validation failures into the stable error codes of SPEC §2.
import type { FastifyRequest } from 'fastify'
import { AppError, type ErrorCode } from '../core/errors.js'

interface ValidationIssue {
  instancePath?: string
  message?: string
  params?: { missingProperty?: string; requiredProperties?: string[] }
}

const BODY_FIELD_CODES: Record<string, ErrorCode> = {
  url: 'invalid_url',
  client_id: 'invalid_client_id',
  timestamp: 'invalid_timestamp',
}

const isJsonContentType = (request: FastifyRequest) => /^application\/json\b/i.test(request.headers['content-type'] ?? '')

export function validationError(context: string | undefined, issues: ValidationIssue[], request: FastifyRequest): AppError {
  const first = issues[0] ?? {}
  const field =
    first.params?.missingProperty ?? first.params?.requiredProperties?.[0] ?? first.instancePath?.split('/')[1] ?? ''
  switch (context) {
    case 'params':
      if (field === 'index') return new AppError('invalid_file_index')
      return new AppError('invalid_download_id')
    case 'querystring':
      return new AppError('invalid_query', `Query parameter "${field}" ${first.message ?? 'is invalid'}`)
    case 'body': {
      if (request.body === undefined || request.body === null) {
        return isJsonContentType(request)
          ? new AppError('invalid_json', 'The request body is empty; send a JSON object')
          : new AppError('unsupported_media_type')
      }
      const code = BODY_FIELD_CODES[field]
      if (code) return new AppError(code, `"${field}" ${first.message ?? 'is invalid'}`)
      return new AppError('invalid_body')
    }
    default:
      return new AppError('bad_request', first.message ?? 'Invalid request')
  }
}
