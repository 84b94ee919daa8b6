//! Secret heuristics: whether a name looks like a secret, a URL holds a password or a
//! command passes a secret option, and the checks of containers and log options that
//! use them.

use super::{LintRule, Lx};
use crate::requests::ecs::{
    ContainerDefinition, ContainerDefinitionFields, HealthCheck, LogConfiguration,
};
use crate::resources::*;

/// The AWS names of a container definition's fields.
const C: ContainerDefinitionFields = ContainerDefinition::FIELD;

impl Lx<'_> {
    /// The plaintext secrets of one container: environment variables named like secrets
    /// or holding URLs with passwords, and secret-looking options in its command, entry
    /// point and health check.
    pub(super) fn container_secrets(&mut self, c: &Container, base: &str, who: &str) {
        for (j, (name, value)) in c.environment.iter().enumerate() {
            if secret_like_name(name) {
                self.emit(
                    LintRule::EnvSecret,
                    "",
                    format!("{base}.{}[{j}].name", C.environment),
                    format!("{who}: environment variable `{name}` looks like a secret but its value is plaintext in the task definition (visible to ecs:DescribeTaskDefinition, the plan and the state); the value is not shown here"),
                );
            } else if url_has_password(value.as_str()) {
                self.emit(
                    LintRule::EnvCredentialsInUrl,
                    "",
                    format!("{base}.{}[{j}].value", C.environment),
                    format!("{who}: environment variable `{name}` holds a URL with a password in plaintext; the value is not shown here"),
                );
            }
        }
        let commands = [(C.command, &c.command), (C.entry_point, &c.entry_point)];
        for (field, args) in commands {
            for k in secret_args(args) {
                self.emit(
                    LintRule::CommandSecretArg,
                    "",
                    format!("{base}.{field}[{k}]"),
                    format!("{who}: {field} argument {k} passes a secret-looking option in plaintext; the value is not shown here"),
                );
            }
        }
        if let Some(h) = &c.health_check {
            for k in secret_args(&h.command) {
                self.emit(
                    LintRule::CommandSecretArg,
                    "",
                    format!("{base}.{}.{}[{k}]", C.health_check, HealthCheck::FIELD.command),
                    format!("{who}: health check argument {k} passes a secret-looking option in plaintext; the value is not shown here"),
                );
            }
        }
    }

    pub(super) fn log_options(&mut self, config: &LogConfig, path: &str, who: &str) {
        if let LogConfig::FireLens { options } = config {
            for key in options.keys().filter(|k| secret_like_name(k)) {
                self.emit(
                    LintRule::LogOptionSecret,
                    "",
                    format!("{path}.{}.{key}", LogConfiguration::FIELD.options),
                    format!("{who}: log option `{key}` looks like a secret but is plaintext in the request; the value is not shown here"),
                );
            }
        }
    }
}

/// The upper-case words of a variable name: split at `_`, `-`, `.`, spaces and camelCase
/// boundaries (`apiKey` -> `API`, `KEY`; `JWTSecret` -> `JWT`, `SECRET`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || (chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Words that make a name secret on their own.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "JWT",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "APIKEY",
    "PRIVATEKEY",
    "ACCESSKEY",
    "SECRETKEY",
    "AUTHTOKEN",
    "APITOKEN",
];

/// Words that make a following `KEY` secret (`API_KEY`, `PRIVATE_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "ACCESS",
    "SECRET",
    "PRIVATE",
    "SIGNING",
    "ENCRYPTION",
    "MASTER",
    "LICENSE",
    "SESSION",
    "HMAC",
    "AUTH",
    "SSH",
    "TLS",
    "SSL",
    "CLIENT",
    "JWT",
    "ADMIN",
    "SERVICE",
    "WEBHOOK",
];

/// Words after the secret word that make the name about the secret rather than the secret
/// itself (`SECRET_ARN`, `PASSWORD_MIN_LENGTH`, `JWT_ISSUER`, `API_KEY_HEADER`).
const NOT_SECRET_AFTER: &[&str] = &[
    "ARN",
    "NAME",
    "ID",
    "PATH",
    "FILE",
    "DIR",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "LENGTH",
    "LEN",
    "MIN",
    "MAX",
    "SIZE",
    "TIMEOUT",
    "ENABLED",
    "DISABLED",
    "ENABLE",
    "HEADER",
    "TYPE",
    "ALGORITHM",
    "ALG",
    "ISSUER",
    "AUDIENCE",
    "VERSION",
    "REGION",
    "FORMAT",
    "POLICY",
    "ROTATION",
    "LIFETIME",
    "DURATION",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
    "COUNT",
    "LIMIT",
    "PREFIX",
    "FIELD",
    "PARAM",
    "INTERVAL",
    "PUBLIC",
    "PUB",
    "CERT",
    "CERTIFICATE",
    "REQUIRED",
    "MODE",
    "MANAGER",
    "STORE",
    "PROVIDER",
    "LOCATION",
    "REF",
];

/// Words before the secret word that make the name a setting (`MAX_TOKENS`, `MIN_PASSWORD`).
const NOT_SECRET_BEFORE: &[&str] = &["MAX", "MIN", "NUM", "COUNT", "LIMIT", "NO", "USE"];

/// Whether a variable or option name looks like it holds a secret. Only the name is
/// looked at; see [`LintRule::EnvSecret`].
pub fn secret_like_name(name: &str) -> bool {
    let w = words(name);
    if w.len() == 1 && (w[0] == "PWD" || w[0] == "OLDPWD") {
        return false;
    }
    let is_secret = |p: usize| {
        SECRET_WORDS.contains(&w[p].as_str())
            || ((w[p] == "KEY" || w[p] == "KEYS")
                && p > 0
                && KEY_QUALIFIERS.contains(&w[p - 1].as_str()))
    };
    let hits: Vec<usize> = (0..w.len()).filter(|p| is_secret(*p)).collect();
    let (Some(&first), Some(&last)) = (hits.first(), hits.last()) else {
        return false;
    };
    !w[last + 1..]
        .iter()
        .any(|x| NOT_SECRET_AFTER.contains(&x.as_str()))
        && !w[..first]
            .iter()
            .any(|x| NOT_SECRET_BEFORE.contains(&x.as_str()))
}

/// Whether a value is a URL with a password in its user info (`scheme://user:pw@host`).
/// A password that starts with `$` is taken as a reference the application expands.
fn url_has_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return false;
    };
    userinfo
        .split_once(':')
        .is_some_and(|(_, password)| !password.is_empty() && !password.starts_with('$'))
}

/// Indexes of arguments that pass a secret-looking option with a literal value:
/// `--password=x`, `TOKEN=x`, or `--password x` (within one argument or across two),
/// also inside a `CMD-SHELL` string.
fn secret_args<S: AsRef<str>>(args: &[S]) -> Vec<usize> {
    let literal = |v: &str| !v.is_empty() && !v.starts_with('$');
    let mut out = Vec::new();
    let mut pending_flag = false;
    for (k, arg) in args.iter().enumerate() {
        let mut hit = false;
        let tokens: Vec<&str> = arg.as_ref().split_whitespace().collect();
        for (t, token) in tokens.iter().enumerate() {
            if pending_flag && t == 0 && literal(token) && !token.starts_with('-') {
                hit = true;
            }
            let flag = token.trim_start_matches('-');
            if let Some((name, value)) = flag.split_once('=') {
                if secret_like_name(name) && literal(value) {
                    hit = true;
                }
            } else if token.starts_with('-') && secret_like_name(flag) {
                match tokens.get(t + 1) {
                    Some(next) if literal(next) && !next.starts_with('-') => hit = true,
                    _ => {}
                }
            }
        }
        pending_flag = tokens.len() == 1
            && tokens[0].starts_with('-')
            && !tokens[0].contains('=')
            && secret_like_name(tokens[0].trim_start_matches('-'));
        if hit {
            out.push(k);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "PASSWORD",
            "DB_PASSWORD",
            "db_pass",
            "SMTP_PASSWD",
            "JWT_SECRET",
            "JWT",
            "OAUTH_CLIENT_SECRET",
            "OPENAI_API_KEY",
            "apiKey",
            "x-api-key",
            "GITHUB_TOKEN",
            "AUTH_TOKEN",
            "PRIVATE_KEY",
            "SSH_PRIVATE_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "SECRET_KEY_BASE",
            "STRIPE_SECRET_KEY",
            "JWTSecret",
            "licenseKey",
            "HTTP_Passwd",
            "splunk-token",
            "DATABASE_CREDENTIALS",
            "DB_PWD",
        ] {
            assert!(secret_like_name(name), "{name} should look secret");
        }
        for name in [
            "PWD",
            "SECRET_ARN",
            "SECRET_NAME",
            "PASSWORD_MIN_LENGTH",
            "JWT_ISSUER",
            "JWT_EXPIRES_IN",
            "API_KEY_HEADER",
            "TOKEN_URL",
            "MAX_TOKENS",
            "MAX_TOKEN",
            "TOKENIZER",
            "RECAPTCHA_SITE_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "CACHE_KEY_PREFIX",
            "SERVICE_NAME",
            "DATABASE_URL",
            "AWS_ACCESS_KEY_ID",
            "PASSWORD_FILE",
            "BYPASS_CACHE",
            "JWT_PUBLIC_KEY",
            "SECRETS_MANAGER_ENDPOINT",
        ] {
            assert!(!secret_like_name(name), "{name} should not look secret");
        }
    }

    #[test]
    fn urls_with_passwords() {
        assert!(url_has_password("postgres://app:hunter2@db:5432/app"));
        assert!(url_has_password("redis://:tok@cache:6379"));
        assert!(!url_has_password("postgres://app@db:5432/app"));
        assert!(!url_has_password("https://example.com/a:b@c"));
        assert!(!url_has_password("http://user-service:8081"));
        assert!(!url_has_password("postgres://app:${DB_PASSWORD}@db/app"));
        assert!(!url_has_password("not a url"));
    }

    #[test]
    fn secret_arguments() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            secret_args(&args(&["app", "--password=x", "--port=1"])),
            [1]
        );
        assert_eq!(secret_args(&args(&["app", "--token", "abc"])), [2]);
        assert_eq!(
            secret_args(&args(&["CMD-SHELL", "curl -H x --api-key abc localhost"])),
            [1]
        );
        assert_eq!(
            secret_args(&args(&["CMD-SHELL", "DB_PASSWORD=x ./check"])),
            [1]
        );
        assert!(secret_args(&args(&["app", "--password-file", "/run/pw"])).is_empty());
        assert!(secret_args(&args(&["app", "--password=$DB_PASSWORD"])).is_empty());
        assert!(secret_args(&args(&["app", "--max-tokens=5"])).is_empty());
    }
}
