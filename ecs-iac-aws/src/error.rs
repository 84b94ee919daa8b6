//! Errors of talking to AWS, each naming the resource address, the operation and, where
//! AWS gave one, the request id.

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;

/// One failed AWS call or an unusable request or answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    /// AWS (or the transport) refused the call.
    #[error("{address}: {operation} failed: {code}: {message}{}", request_suffix(.request_id))]
    Aws {
        /// Resource address.
        address: String,
        /// `service:Action`.
        operation: String,
        /// AWS error code, or the transport failure kind.
        code: String,
        /// AWS's message.
        message: String,
        /// The request id, when AWS answered.
        request_id: Option<String>,
        /// Worth retrying (throttling, 5xx, timeouts, connection failures).
        transient: bool,
    },
    /// The request in the plan lacks a field this operation needs.
    #[error("{address}: request field `{field}`: {problem}")]
    Request {
        /// Resource address.
        address: String,
        /// The field.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// AWS answered without something it always sends.
    #[error("{address}: {operation} answered without `{field}`")]
    Response {
        /// Resource address.
        address: String,
        /// `service:Action`.
        operation: String,
        /// The missing field.
        field: String,
    },
    /// Waiting for readiness failed or timed out.
    #[error("{address}: {message}")]
    Wait {
        /// Resource address.
        address: String,
        /// What happened.
        message: String,
    },
    /// The run was interrupted (Ctrl-C, SIGTERM) while this resource waited or retried;
    /// what was sent stays journaled, and the next apply picks it up.
    #[error("{address}: interrupted while waiting for {waiting_for}")]
    Interrupted {
        /// Resource address.
        address: String,
        /// What it was waiting for.
        waiting_for: String,
    },
    /// Something the stack uses and does not own (a secret, a certificate, a managed
    /// policy, a KMS key, a role) does not exist, or cannot be used. Found before any
    /// change is made.
    #[error("{0}")]
    Missing(Box<Missing>),
    /// Several independent calls failed (e.g. the reads of a refresh); each is listed.
    #[error("{} calls failed:\n  {}", .0.len(), join_lines(.0))]
    Several(Vec<ProviderError>),
}

/// Why the engine could not connect to AWS: a configuration problem (region, credentials,
/// endpoint, identity), found before any resource is read or changed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectError {
    /// No region is configured and the stack pins none.
    #[error("no region: set AWS_REGION, a profile region, or pin one with Stack::region")]
    NoRegion,
    /// Asking STS who the credentials belong to failed; the error says what to do
    /// (missing, expired or rejected credentials, an endpoint that does not answer).
    #[error(transparent)]
    Identity(ProviderError),
    /// STS answered without an account id.
    #[error("sts:GetCallerIdentity answered without `Account`")]
    NoAccount,
}

/// Something the stack uses and does not own that is not there ([`ProviderError::Missing`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{address}: {what} `{id}` (at `{field}`) does not exist or cannot be used: {detail}{}", used_by_suffix(.used_by))]
pub struct Missing {
    /// The address of the resource whose request names it (or of the lookup).
    pub address: String,
    /// The field of that request naming it.
    pub field: String,
    /// What it is (`secret`, `ACM certificate`, …).
    pub what: &'static str,
    /// Its name or ARN, as the stack names it.
    pub id: String,
    /// What AWS said.
    pub detail: String,
    /// The resources that use it.
    pub used_by: Vec<String>,
}

fn used_by_suffix(others: &[String]) -> String {
    if others.is_empty() {
        String::new()
    } else {
        format!(" (used by {})", others.join(", "))
    }
}

fn join_lines(errors: &[ProviderError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}

fn request_suffix(id: &Option<String>) -> String {
    id.as_ref()
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

/// An error and its sources in one line, each cause once (the SDK's debug dumps are for
/// `-v`).
fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        // One line: multi-line causes (the credential chain's list of what it tried)
        // are joined.
        let text = e
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
            .replace(":; ", ": ");
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// What to do about a problem of the AWS setup (credentials, permissions, endpoint), by
/// AWS's error code and the causes' text; `None` for other errors.
fn setup_problem(code: &str, text: &str) -> Option<&'static str> {
    let t = text.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| t.contains(n));
    if has(&[
        "no credentials",
        "credentialsnotloaded",
        "failed to load credentials",
        "no valid credential",
    ]) {
        return Some("no AWS credentials were found (looked in the environment, the shared config and credentials files, SSO, web identity and the instance metadata): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso login`");
    }
    if matches!(
        code,
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired"
    ) || has(&["token has expired", "token is expired", "expired token"])
    {
        return Some("the credentials have expired: refresh them (`aws sso login`, or new session credentials)");
    }
    if matches!(
        code,
        "InvalidClientTokenId"
            | "UnrecognizedClientException"
            | "SignatureDoesNotMatch"
            | "AuthFailure"
            | "InvalidAccessKeyId"
            | "IncompleteSignature"
    ) {
        return Some("the credentials were rejected: check the access key id and secret key (or AWS_PROFILE) in use");
    }
    if matches!(
        code,
        "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedOperation"
            | "AuthorizationError"
            | "UnauthorizedException"
    ) {
        return Some("the identity in use is not allowed this operation: grant it in IAM (`aws sts get-caller-identity` shows which identity that is)");
    }
    if has(&["connection refused"]) {
        return Some("nothing answers at the endpoint: check --endpoint-url / AWS_ENDPOINT_URL, or start the emulator");
    }
    if has(&[
        "dns error",
        "failed to lookup address",
        "name or service not known",
        "no such host",
    ]) {
        return Some("the endpoint's host name does not resolve: check the region, --endpoint-url / AWS_ENDPOINT_URL and the network");
    }
    None
}

/// Error codes that mean "try again later".
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "SlowDown",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "ServerException",
    "ServiceException",
    // WAF: a web ACL just created is not yet usable everywhere (AssociateWebACL).
    "WAFUnavailableEntityException",
];

impl ProviderError {
    /// Classifies an SDK error.
    pub fn from_sdk<E>(
        address: &str,
        operation: &str,
        err: SdkError<E, HttpResponse>,
    ) -> ProviderError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let (code, message, transient) = match &err {
            SdkError::TimeoutError(_) => (
                "Timeout".to_string(),
                "the call timed out".to_string(),
                true,
            ),
            SdkError::DispatchFailure(_) => ("DispatchFailure".to_string(), causes(&err), true),
            SdkError::ResponseError(_) => ("ResponseError".to_string(), causes(&err), true),
            SdkError::ConstructionFailure(_) => {
                ("ConstructionFailure".to_string(), causes(&err), false)
            }
            _ => {
                let code = err.code().unwrap_or("Unknown").to_string();
                let message = err.message().unwrap_or_default().to_string();
                let server_error = match &err {
                    SdkError::ServiceError(e) => e.raw().status().as_u16() >= 500,
                    _ => false,
                };
                let transient = server_error || TRANSIENT_CODES.contains(&code.as_str());
                (code, message, transient)
            }
        };
        let message = match setup_problem(&code, &message) {
            Some(fix) => format!("{message}; {fix}"),
            None => message,
        };
        let request_id = err.meta().extra("aws_request_id").map(str::to_string);
        ProviderError::Aws {
            address: address.to_string(),
            operation: operation.to_string(),
            code,
            message,
            request_id,
            transient,
        }
    }

    /// Whether retrying may help.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ProviderError::Aws {
                transient: true,
                ..
            }
        )
    }

    /// The same error with every occurrence of the given secret values in its text
    /// replaced by `***` (AWS error messages may echo request parameters).
    pub fn redact(self, secrets: &[&str]) -> ProviderError {
        let hide = |mut text: String| {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                text = text.replace(secret, "***");
            }
            text
        };
        match self {
            ProviderError::Aws {
                address,
                operation,
                code,
                message,
                request_id,
                transient,
            } => ProviderError::Aws {
                address,
                operation,
                code,
                message: hide(message),
                request_id,
                transient,
            },
            ProviderError::Request {
                address,
                field,
                problem,
            } => ProviderError::Request {
                address,
                field,
                problem: hide(problem),
            },
            ProviderError::Wait { address, message } => ProviderError::Wait {
                address,
                message: hide(message),
            },
            other @ ProviderError::Interrupted { .. } => other,
            ProviderError::Several(errors) => {
                ProviderError::Several(errors.into_iter().map(|e| e.redact(secrets)).collect())
            }
            other @ (ProviderError::Response { .. } | ProviderError::Missing { .. }) => other,
        }
    }

    /// AWS's message (`code: message`), or the whole error for errors AWS did not send.
    pub fn aws_message(&self) -> String {
        match self {
            ProviderError::Aws { code, message, .. } => format!("{code}: {message}"),
            other => other.to_string(),
        }
    }

    /// Whether the call got no answer (a timeout, a dropped connection, an unreadable
    /// response): AWS may have done it, or may still be doing it.
    pub fn is_unanswered(&self) -> bool {
        self.is(&["Timeout", "DispatchFailure", "ResponseError"])
    }

    /// The AWS error code, if AWS answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ProviderError::Aws { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the code is one of `codes`.
    pub fn is(&self, codes: &[&str]) -> bool {
        self.code().is_some_and(|c| codes.contains(&c))
    }
}
