/**
 * LiteSVM's transaction errors in the JSON form a Solana RPC node gives them
 * (`"BlockhashNotFound"`, `{"InstructionError":[2,{"Custom":1}]}`, ...).
 */
import type { FailedTransactionMetadata } from 'litesvm';

// The order of LiteSVM's (and Solana's) TransactionError / InstructionError enums.
const TRANSACTION_ERRORS = [
  'AccountInUse',
  'AccountLoadedTwice',
  'AccountNotFound',
  'ProgramAccountNotFound',
  'InsufficientFundsForFee',
  'InvalidAccountForFee',
  'AlreadyProcessed',
  'BlockhashNotFound',
  'CallChainTooDeep',
  'MissingSignatureForFee',
  'InvalidAccountIndex',
  'SignatureFailure',
  'InvalidProgramForExecution',
  'SanitizeFailure',
  'ClusterMaintenance',
  'AccountBorrowOutstanding',
  'WouldExceedMaxBlockCostLimit',
  'UnsupportedVersion',
  'InvalidWritableAccount',
  'WouldExceedMaxAccountCostLimit',
  'WouldExceedAccountDataBlockLimit',
  'TooManyAccountLocks',
  'AddressLookupTableNotFound',
  'InvalidAddressLookupTableOwner',
  'InvalidAddressLookupTableData',
  'InvalidAddressLookupTableIndex',
  'InvalidRentPayingAccount',
  'WouldExceedMaxVoteCostLimit',
  'WouldExceedAccountDataTotalLimit',
  'MaxLoadedAccountsDataSizeExceeded',
  'ResanitizationNeeded',
  'InvalidLoadedAccountsDataSizeLimit',
  'UnbalancedTransaction',
  'ProgramCacheHitMaxLimit',
  'CommitCancelled',
] as const;

const INSTRUCTION_ERRORS = [
  'GenericError',
  'InvalidArgument',
  'InvalidInstructionData',
  'InvalidAccountData',
  'AccountDataTooSmall',
  'InsufficientFunds',
  'IncorrectProgramId',
  'MissingRequiredSignature',
  'AccountAlreadyInitialized',
  'UninitializedAccount',
  'UnbalancedInstruction',
  'ModifiedProgramId',
  'ExternalAccountLamportSpend',
  'ExternalAccountDataModified',
  'ReadonlyLamportChange',
  'ReadonlyDataModified',
  'DuplicateAccountIndex',
  'ExecutableModified',
  'RentEpochModified',
  'NotEnoughAccountKeys',
  'AccountDataSizeChanged',
  'AccountNotExecutable',
  'AccountBorrowFailed',
  'AccountBorrowOutstanding',
  'DuplicateAccountOutOfSync',
  'InvalidError',
  'ExecutableDataModified',
  'ExecutableLamportChange',
  'ExecutableAccountNotRentExempt',
  'UnsupportedProgramId',
  'CallDepth',
  'MissingAccount',
  'ReentrancyNotAllowed',
  'MaxSeedLengthExceeded',
  'InvalidSeeds',
  'InvalidRealloc',
  'ComputationalBudgetExceeded',
  'PrivilegeEscalation',
  'ProgramEnvironmentSetupFailure',
  'ProgramFailedToComplete',
  'ProgramFailedToCompile',
  'Immutable',
  'IncorrectAuthority',
  'AccountNotRentExempt',
  'InvalidAccountOwner',
  'ArithmeticOverflow',
  'UnsupportedSysvar',
  'IllegalOwner',
  'MaxAccountsDataAllocationsExceeded',
  'MaxAccountsExceeded',
  'MaxInstructionTraceLengthExceeded',
  'BuiltinProgramsMustConsumeComputeUnits',
  'BorshIoError',
] as const;

/** A Solana `TransactionError` as JSON. */
export type TransactionErrorJson = string | Record<string, unknown>;

function instructionError(err: unknown): unknown {
  if (typeof err === 'number') return INSTRUCTION_ERRORS[err] ?? 'GenericError';
  if (err && typeof err === 'object') {
    if ('code' in err) return { Custom: Number((err as { code: number }).code) };
    if ('msg' in err) return { BorshIoError: String((err as { msg: string }).msg) };
  }
  return 'GenericError';
}

export function transactionErrorJson(failed: FailedTransactionMetadata): TransactionErrorJson {
  const err: unknown = failed.err();
  if (typeof err === 'number') return TRANSACTION_ERRORS[err] ?? 'SanitizeFailure';
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown> & { err?: () => unknown };
    if (typeof e.err === 'function' && typeof e['index'] === 'number')
      return { InstructionError: [e['index'], instructionError(e.err())] };
    if (typeof e['accountIndex'] === 'number') {
      const name = err.constructor.name.includes('Rent')
        ? 'InsufficientFundsForRent'
        : 'ProgramExecutionTemporarilyRestricted';
      return { [name]: { account_index: e['accountIndex'] } };
    }
    if (typeof e['index'] === 'number') return { DuplicateInstruction: e['index'] };
  }
  return 'SanitizeFailure';
}

/** The error message a node's preflight failure carries. */
export function preflightMessage(err: TransactionErrorJson): string {
  if (typeof err === 'string') return `Transaction simulation failed: ${err}`;
  const ix = err['InstructionError'];
  if (Array.isArray(ix))
    return `Transaction simulation failed: Error processing Instruction ${ix[0]}: ${JSON.stringify(ix[1])}`;
  return `Transaction simulation failed: ${JSON.stringify(err)}`;
}
