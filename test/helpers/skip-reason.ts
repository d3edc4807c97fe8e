/**
 * Why a suite cannot run here, given the services it is missing, or '' when it
 * can. Outside CI the suite is skipped with that reason (counted by vitest);
 * under CI=true a missing service fails the run instead of hiding its tests.
 */
export function skipReason(missing: (string | false)[]): string {
  const reason = missing.filter((problem): problem is string => problem !== false).join('; ')
  if (reason === '') return ''
  if (process.env.CI === 'true') throw new Error(`${reason}: CI=true needs every service running (.ci/run starts them)`)
  console.warn(`skipping: ${reason}`)
  return reason
}
