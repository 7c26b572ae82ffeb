export type FieldErrors = Record<string, string>;

/** An error the API reports to its caller, rendered as Mangopay's {Message, Type, Id, Date, errors}. */
export class ApiError extends Error {
  constructor(
    /** Stable and unique per kind of error (dotted, never reused): for logs and tests, never on the wire. */
    readonly code: string,
    readonly status: number,
    readonly type: string,
    message: string,
    readonly errors: FieldErrors | null = null,
    /** Extra top-level properties (the OAuth endpoint adds the standard `error` code). */
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const PARAM_MESSAGE =
  'One or several required parameters are missing or incorrect. An incorrect resource ID also raises this kind of error.';

/** The registry: every error the API can answer, one factory each. */
export const ERRORS = {
  paramError: (errors: FieldErrors | null, message = PARAM_MESSAGE) => new ApiError('param_error', 400, 'param_error', message, errors),
  notFound: (entity: string, id: string) =>
    new ApiError('ressource_not_found', 404, 'ressource_not_found', 'The ressource does not exist', {
      RessourceNotFound: `Cannot found the ressource ${entity} with the id=${id} `,
    }),
  routeNotFound: (method: string, url: string) =>
    new ApiError('ressource_not_found.route', 404, 'ressource_not_found', 'The ressource does not exist', {
      RessourceNotFound: `No endpoint ${method} ${url}`,
    }),
  methodNotAllowed: (method: string, url: string) =>
    new ApiError('method_not_allowed', 405, 'method_not_allowed', `The method ${method} is not allowed on ${url}`),
  invalidCredentials: (why?: string) =>
    new ApiError(
      'invalid_credentials',
      401,
      'invalid_credentials',
      'The authorization credentials are not valid',
      why ? { Authorization: why } : null,
    ),
  // Mangopay answers the token call with the bare OAuth body; SDKs read `error` (Node, PHP) or build their message
  // from `Message` and `errors` (Ruby's suite expects exactly "invalid_client"), so the reason goes in error_description.
  invalidClient: (why: string) =>
    new ApiError('invalid_credentials.client', 401, 'invalid_credentials', 'invalid_client', null, {
      error: 'invalid_client',
      error_description: why,
    }),
  unsupportedGrantType: () =>
    new ApiError('param_error.grant_type', 400, 'param_error', PARAM_MESSAGE, { grant_type: 'grant_type must be client_credentials' }, {
      error: 'unsupported_grant_type',
    }),
  tokenOveruse: (budget: number, windowSeconds: number, retryAfter: number) =>
    new ApiError(
      'rate_limit.token',
      429,
      'rate_limit',
      `Too many token requests: at most ${budget} per ${windowSeconds} s for one client. ` +
        'Reuse each bearer token for its whole lifetime (expires_in) instead of asking for a new one before each call.',
      null,
      { error: 'too_many_token_requests' },
      { 'Retry-After': String(retryAfter) },
    ),
  rateLimit: (retryAfter: number) =>
    new ApiError('rate_limit', 429, 'rate_limit', 'Rate limit exceeded. Please contact support for more assistance', null, {}, {
      'Retry-After': String(retryAfter),
    }),
  badUrl: () => new ApiError('param_error.bad_url', 400, 'param_error', PARAM_MESSAGE, { Url: 'The path is not a valid URL (bad percent-encoding)' }),
  idTooLong: (max: number) =>
    new ApiError('ressource_not_found.id_too_long', 404, 'ressource_not_found', 'The ressource does not exist', {
      RessourceNotFound: `No ressource has an id longer than ${max} characters`,
    }),
  badText: (field: string) =>
    new ApiError('param_error.bad_text', 400, 'param_error', PARAM_MESSAGE, {
      [field]: `The field ${field} contains a NUL character or an unpaired surrogate, which text cannot hold`,
    }),
  /** The HTTP message itself could not be read (Node's parser refused it). */
  badHttp: (status: 400 | 408 | 431) =>
    new ApiError(
      'bad_http',
      status,
      status === 408 ? 'request_timeout' : 'param_error',
      status === 408
        ? 'The request was not received in time'
        : status === 431
          ? 'The request headers are too large'
          : 'The HTTP request is malformed',
    ),
  malformedJson: (detail: string) =>
    new ApiError('param_error.malformed_json', 400, 'param_error', 'The request body is not valid JSON', { Body: detail }),
  unsupportedMediaType: (contentType: string) =>
    new ApiError('unsupported_media_type', 415, 'unsupported_media_type', `The content type ${contentType} is not supported; send application/json`, {
      'Content-Type': `${contentType} is not supported`,
    }),
  payloadTooLarge: (limit: number) =>
    new ApiError('payload_too_large', 413, 'payload_too_large', `The request body is larger than the ${limit} bytes allowed`),
  logoTooLarge: (max: number) =>
    new ApiError('payload_too_large.logo', 413, 'payload_too_large', `The file is too large: a logo may hold at most ${max} bytes`, {
      File: 'The file is too large',
    }),
  termsNotAccepted: () =>
    new ApiError(
      'user_hasnt_accepted_terms_and_conditions',
      403,
      'user_hasnt_accepted_terms_and_conditions',
      'User must accept the terms and conditions before account creation or modification.',
    ),
  invalidAction: (message: string) => new ApiError('invalid_action', 400, 'invalid_action', message),
  notAllowedForOwner: () =>
    new ApiError('not_allowed_for_user_category_owner', 400, 'not_allowed_for_user_category_owner', 'This endpoint is not allowed for User categorized as OWNER'),
  notAllowedForPayer: () =>
    new ApiError('not_allowed_for_user_category_payer', 400, 'not_allowed_for_user_category_payer', 'This endpoint is not allowed for User categorized as PAYER'),
  scaProxyMissing: () =>
    new ApiError(
      'sca_proxy_missing',
      403,
      'sca_proxy_missing',
      'You are not authorized to perform this action. The user has not provided consent to the requested proxy',
    ),
  /**
   * Mangopay answers wallet access needing SCA with a bare 401 and the link in WWW-Authenticate;
   * Mangrove adds its usual body (Type named like sca_proxy_missing) and keeps the header as is.
   */
  scaRequired: (redirectUrl: string) =>
    new ApiError(
      'sca_required',
      401,
      'sca_required',
      'Strong customer authentication is required: redirect the user to the RedirectUrl of the WWW-Authenticate header, then retry',
      null,
      {},
      { 'WWW-Authenticate': `PendingUserAction RedirectUrl=${redirectUrl}` },
    ),
  userClosed: () => new ApiError('user_closed', 400, 'user_closed', 'User closed: No action can be performed'),
  userClosureNotPossible: () =>
    new ApiError('user_closure_not_possible', 400, 'user_closure_not_possible', 'The user cannot be closed as one or several wallets are not empty'),
  userClosurePayOutPending: () =>
    new ApiError('user_closure_not_possible.payout_pending', 400, 'user_closure_not_possible', 'The user cannot be closed while one or several of its payouts are pending'),
  userClosureFailed: () => new ApiError('user_closure_failed', 400, 'user_closure_failed', 'An error occurred while closing the user'),
  // UBO declarations: the first four messages are Mangopay's documented ones.
  uboLegalPersonType: (type: string) => new ApiError('invalid_action.ubo_legal_person_type', 400, 'invalid_action', `Cannot create an UBO for a LegalUser of type ${type}`),
  uboNaturalUser: () => new ApiError('invalid_action.ubo_natural_user', 400, 'invalid_action', 'Cannot create an UBO for a NaturalUser'),
  uboPayer: () => new ApiError('invalid_action.ubo_payer', 400, 'invalid_action', "User belonging to category PAYER can't create UBO declarations"),
  uboDeclarationInProgress: () =>
    new ApiError('invalid_action.ubo_declaration_in_progress', 400, 'invalid_action', 'You can not create a declaration because you already have a declaration in progress'),
  tooManyUbos: (max: number) => new ApiError('invalid_action.too_many_ubos', 400, 'invalid_action', `You can not create more than ${max} UBO for a declaration`),
  uboDeclarationLocked: (status: string) =>
    new ApiError('invalid_action.ubo_declaration_locked', 400, 'invalid_action', `The UBO declaration can not be modified when its status is ${status}`),
  uboDeclarationEmpty: () =>
    new ApiError('invalid_action.ubo_declaration_empty', 400, 'invalid_action', 'A UBO declaration must contain at least one active UBO to be submitted'),
  uboDeclarationNotPending: (status: string) =>
    new ApiError('invalid_action.ubo_declaration_not_pending', 400, 'invalid_action', `Only a UBO declaration in status VALIDATION_ASKED can be processed; this one is ${status}`),
  legacyEndpointRemoved: (replacement: string) =>
    new ApiError(
      'deprecated_endpoint',
      410,
      'deprecated_endpoint',
      `This legacy endpoint stopped working on 15 December 2025. Use ${replacement} instead.`,
    ),
  kycWrongDocumentType: (type: string, who: string) =>
    new ApiError('wrong_document_type', 400, 'wrong_document_type', 'Error wrong type of document', {
      Type: `A document of type ${type} cannot be created for ${who}`,
    }),
  kycMaxPages: () =>
    new ApiError(
      'max_page_number',
      400,
      'max_page_number',
      'Maximum number of pages exceeded. You can only add up to 5 pages to this document',
    ),
  kycFileTooLarge: (max: number) =>
    new ApiError('payload_too_large.kyc_file', 413, 'payload_too_large', `The file is too large: a page may hold at most ${max} bytes (about 10 MB in Base-64)`, {
      File: 'The file is too large',
    }),
  // A field's value, not the request's content type: 415 stays for bodies Mangrove cannot read.
  kycFileFormat: () =>
    new ApiError('param_error.kyc_file_format', 400, 'param_error', 'The file format is not supported: send a PDF, JPEG or PNG file', {
      File: 'The file must be a PDF, JPEG or PNG file',
    }),
  kycNotCreated: (status: string) =>
    new ApiError('invalid_action.kyc_not_created', 400, 'invalid_action', `The KYC document can no longer be changed: its status is ${status}, not CREATED`),
  kycNoPage: () =>
    new ApiError('invalid_action.kyc_no_page', 400, 'invalid_action', 'The KYC document has no page: add at least one page before asking for its validation'),
  kycNotAwaitingValidation: (status: string) =>
    new ApiError('invalid_action.kyc_not_awaiting_validation', 400, 'invalid_action', `The KYC document is not awaiting validation: its status is ${status}, not VALIDATION_ASKED`),
  /** A bank's own number is wrong (the API's answer for a bad GB sort code or account number). */
  bankAccountError: (errors: FieldErrors) =>
    new ApiError('bankaccount_error', 400, 'bankaccount_error', 'One or several required parameters are missing or incorrect', errors),
  bankAccountReactivation: () =>
    new ApiError('param_error.bankaccount_reactivation', 400, 'param_error', PARAM_MESSAGE, {
      Active: 'A deactivated bank account cannot be reactivated: only Active false is accepted',
    }),
  // Card registrations, cards and card validations (issue #12, cards feature).
  cardRegistrationFinal: (status: string) =>
    new ApiError('param_error.card_registration_final', 400, 'param_error', PARAM_MESSAGE, {
      RegistrationData: `The card registration is ${status}: it was already updated and cannot be updated again; create a new card registration`,
    }),
  cardAlreadyNotActive: () =>
    new ApiError('card_already_not_active', 400, 'card_already_not_active', 'The card has already been deactivated'),
  cardReactivation: () =>
    new ApiError('param_error.card_reactivation', 400, 'param_error', PARAM_MESSAGE, {
      Active: 'A deactivated card cannot be reactivated: only Active false is accepted',
    }),
  cardHolderNameExists: () =>
    new ApiError('param_error.card_holder_name_exists', 400, 'param_error', PARAM_MESSAGE, { cardHolderName: 'card holder name already exists' }),
  /** A card validation Mangopay refuses to start, the reason under errors.CardId (cards notes §2.3). */
  cardValidationRefused: (reason: string) => new ApiError('param_error.card_validation', 400, 'param_error', PARAM_MESSAGE, { CardId: reason }),
  // Wallets and pay-ins.
  currencyIncompatibility: (errors: FieldErrors) =>
    new ApiError('currency_incompatibility', 400, 'currency_incompatibility', 'Error: multi-currency usage is not authorized', errors),
  authorNotCreditedWalletOwner: () => new ApiError('param_error.author_not_credited_wallet_owner', 400, 'param_error', 'Author should be the Credited wallet owner'),
  authorNotDebitedWalletOwner: () => new ApiError('param_error.author_not_debited_wallet_owner', 400, 'param_error', 'Author should be the Debited wallet owner'),
  payInNotCreated: (status: string) =>
    new ApiError('invalid_action.payin_not_created', 400, 'invalid_action', `Only a pay-in in status CREATED can be settled or failed; this one is ${status}`),
  payInExpired: () =>
    new ApiError(
      'invalid_action.payin_expired',
      400,
      'invalid_action',
      'The pay-in expired: its funds did not arrive within a month of its creation, so it is now FAILED (ResultCode 101109)',
    ),
  // Payouts.
  payOutNotCreated: (status: string) =>
    new ApiError('invalid_action.payout_not_created', 400, 'invalid_action', `Only a payout in status CREATED can be settled or failed; this one is ${status}`),
  // Refunds (issue #12): the messages are Mangopay's documented ones (cards notes §6.2, §6.4), but the payout's.
  originalNotSucceeded: () =>
    new ApiError(
      'original_transaction_must_be_succeeded',
      400,
      'original_transaction_must_be_succeeded',
      'The original transaction must have a SUCCEEDED Status to be refunded',
      {},
    ),
  refundAuthor: (initial: 'payin' | 'transfer') =>
    new ApiError('param_error.refund_author', 400, 'param_error', PARAM_MESSAGE, {
      AuthorId: `Author of the refund is not the author of the initial ${initial}`,
    }),
  refundAboveInitial: (initial: 'payin' | 'transfer') =>
    new ApiError('param_error.refund_above_initial', 400, 'param_error', PARAM_MESSAGE, {
      DebitedFunds:
        initial === 'payin'
          ? 'DebitedFunds cannot be superior the CreditedFunds of the initial PayIn'
          : 'DebitedFunds cannot be higher than CreditedFunds of the initial transfer',
    }),
  transferAlreadyRefunded: () =>
    new ApiError('param_error.transfer_already_refunded', 400, 'param_error', PARAM_MESSAGE, {
      TransferId: 'Original transaction has already been successfully refunded',
    }),
  payOutAlreadyRefunded: () =>
    new ApiError('invalid_action.payout_already_refunded', 400, 'invalid_action', 'The payout has already come back: it was refunded to its wallet'),
  clientWalletNotFound: (fundsType: string, currency: string) =>
    new ApiError('ressource_not_found.client_wallet', 404, 'ressource_not_found', 'The ressource does not exist', {
      RessourceNotFound: `Cannot found the ressource Wallet with the id=${fundsType}_${currency} `,
    }),
  idempotencyConflict: (otherRequest: boolean) =>
    new ApiError(
      'idempotency_conflict',
      409,
      'idempotent_creation_conflict',
      otherRequest
        ? 'A resource has already been created with this Idempotency Key (by a different request)'
        : 'A resource has already been created with this Idempotency Key',
    ),
  // What the Java and Python SDKs' own suites expect for a key with no stored response.
  idempotencyResponseNotFound: (key: string) =>
    new ApiError('correlationid_not_found', 400, 'correlationid_not_found', 'No response is stored for this Idempotency-Key', {
      IdempotencyKey: `No request with the key ${key} was answered in the last 24 hours`,
    }),
  resourceVanished: () =>
    new ApiError('ressource_not_found.vanished', 404, 'ressource_not_found', 'The ressource does not exist', {
      RessourceNotFound: 'A ressource this request refers to was deleted while the request ran',
    }),
  // KYC document consult links (issue 10 item 7).
  kycConsultUnknown: () =>
    new ApiError('ressource_not_found.kyc_consult', 404, 'ressource_not_found', 'The ressource does not exist', {
      RessourceNotFound: 'This KYC document page link is not valid',
    }),
  kycConsultExpired: () =>
    new ApiError('ressource_not_found.kyc_consult_expired', 410, 'ressource_not_found', 'This KYC document page link has expired: create a new consult of the document', {
      RessourceNotFound: 'The link has expired',
    }),
  // Pre-authorizations and their captures (issue #12, pre-authorization feature).
  preauthorizationNotEditable: () =>
    new ApiError(
      'preauthorization_payment_status_can_not_be_canceled',
      400,
      'preauthorization_payment_status_can_not_be_canceled',
      'The Payment Status of the preauthorization does not allow for it to be edited',
    ),
  preauthorizationNoPayIn: () =>
    new ApiError('invalid_action.preauthorization_no_payin', 400, 'invalid_action', "Can't validate a preauthorization with no successful payin."),
  // Dashboard: "retry now" on a webhook delivery (issue #13, hooks and deliveries).
  deliveryNotRetriable: (why: string) =>
    new ApiError('invalid_action.delivery_retry', 400, 'invalid_action', `This delivery cannot be retried now: ${why}`),
  internal: () => new ApiError('internal', 500, 'other', 'Internal Server Error'),
};
