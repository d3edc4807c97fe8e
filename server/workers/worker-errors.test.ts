/** A job's own error as it crosses back from its thread. */
import { describe, expect, it } from 'vitest'
import { decodeJobError, encodeJobError, WorkerJobError } from './worker-errors.ts'

/** A real overflow of the call stack, as V8 raises it. */
function stackOverflow(): unknown {
  const deeper = (depth: number): number => deeper(depth + 1) + 1
  try {
    deeper(0)
  } catch (error) {
    return error
  }
  throw new Error('the stack did not overflow')
}

describe('a job error crossing back from its thread', () => {
  it('refuses a job whose stack overflowed as one whose input nests too deep (422), not as a failure of the server', () => {
    const decoded = decodeJobError(encodeJobError(stackOverflow()), 'import-document')
    expect(decoded).toBeInstanceOf(WorkerJobError)
    expect(decoded).toMatchObject({ refusal: 'stack-overflow', job: 'import-document', message: expect.stringMatching(/^The import was stopped: what it reads nests deeper/) })
  })

  it('keeps any other error of the job as it was', () => {
    const decoded = decodeJobError(encodeJobError(new RangeError('Invalid array length')), 'read-board')
    expect(decoded).not.toBeInstanceOf(WorkerJobError)
    expect(decoded.message).toBe('Invalid array length')
  })
})
