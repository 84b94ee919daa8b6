//! The command line's arguments, as clap parses them.

use crate::aws::EngineConfig;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    about = "Plan and render an ecs-iac stack",
    version = concat!("(ecs-iac ", env!("CARGO_PKG_VERSION"), ")"),
    disable_help_subcommand = true
)]
pub(super) struct Cli {
    /// Where the state is: a file, or `s3://BUCKET/KEY` (with `?region=REGION` and
    /// `&kms_key=KEY_ID` when needed). Default: the stack's `state_backend`, else
    /// `<stack>.state.json` in the working directory.
    #[arg(
        long,
        global = true,
        env = "ECS_IAC_STATE",
        value_name = "FILE|s3://BUCKET/KEY"
    )]
    pub(super) state: Option<String>,
    /// Log what the engine does (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(super) verbose: u8,
    #[command(subcommand)]
    pub(super) command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Show what applying would change (the default command).
    Plan {
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
        /// Exit 2 when the plan has changes, 0 when it has none.
        #[arg(long)]
        detailed_exitcode: bool,
        #[command(flatten)]
        refresh: RefreshArgs,
    },
    /// Render every AWS API request of the stack.
    Synth {
        /// Write one JSON file per request plus manifest.json into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check the stack and list every problem.
    Validate {
        /// Print diagnostics as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check the stack against the security rules; exit 1 on unsuppressed errors.
    Lint {
        /// Output format: `text`, `json`, or `sarif` (SARIF 2.1.0, for code-scanning UIs).
        #[arg(long, value_enum, default_value_t = LintFormat::Text)]
        format: LintFormat,
        /// Exit 1 on unsuppressed warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the dependency graph in Graphviz DOT.
    Graph,
    /// Create and change resources in AWS so they match the stack.
    Apply {
        /// Apply without asking (needed without a terminal).
        #[arg(long)]
        yes: bool,
        /// Apply even when `lint` reports errors (better: fix them, or suppress one on
        /// its resource with `.allow_lint(id, reason)`).
        #[arg(long)]
        ignore_lint_errors: bool,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Delete every resource of the stack recorded in state.
    Destroy {
        /// Destroy without asking (needed without a terminal).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Adopt an existing AWS resource as one of the stack's: tags it as owned by the
    /// stack and records it in state. `plan` then shows how it differs from the stack.
    Import {
        /// The resource's address in the stack, e.g. `app-logs`.
        address: String,
        /// Its AWS id: a VPC/subnet/group id, an ARN (ECS service, load balancer, target
        /// group, listener) or a name (IAM role, log group, DB instance).
        id: String,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Print the stack's outputs as the last apply recorded them (no AWS call).
    Output {
        /// Print only this output's value.
        name: Option<String>,
        /// Print JSON: `{"NAME": {"value": …, "description": …}}`, or the one value as a
        /// JSON string.
        #[arg(long)]
        json: bool,
    },
    /// Remove the lock of an S3 state whose holder is gone (killed, or its machine lost).
    /// Only the lock with this ID is removed; a locked-state error names it.
    ForceUnlock {
        /// The lock's ID.
        lock_id: String,
    },
    /// Inspect, move or repair the state.
    State {
        #[command(subcommand)]
        command: StateCommand,
    },
}

impl Command {
    /// The endpoint the command sends AWS calls to, when it talks to AWS and has one.
    pub(super) fn endpoint_url(&self) -> Option<String> {
        let target = match self {
            Command::Plan { refresh, .. } => &refresh.target,
            Command::Apply { run, .. }
            | Command::Destroy { run, .. }
            | Command::Import { run, .. }
            | Command::State {
                command: StateCommand::Recover { run, .. },
            } => &run.target,
            _ => return None,
        };
        target.endpoint_url.clone()
    }
}

/// How `plan` reads the live account.
#[derive(Debug, clap::Args)]
pub(super) struct RefreshArgs {
    /// Read every resource in state back from AWS and show drift (`--refresh=false`
    /// compares with the state file only, offline). Skipped when the state is empty.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub(super) refresh: bool,
    #[command(flatten)]
    pub(super) target: AwsTarget,
}

/// Where AWS calls go.
#[derive(Debug, clap::Args)]
pub(super) struct AwsTarget {
    /// Send every AWS call here (e.g. a local emulator).
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub(super) endpoint_url: Option<String>,
    /// Region (otherwise the stack's pinned region or the AWS configuration's).
    #[arg(long)]
    pub(super) region: Option<String>,
}

impl AwsTarget {
    /// Engine settings sending calls to this target, defaults otherwise.
    pub(super) fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            endpoint_url: self.endpoint_url.clone(),
            region: self.region.clone(),
            ..EngineConfig::default()
        }
    }
}

/// Options of commands that talk to AWS.
#[derive(Debug, clap::Args)]
pub(super) struct RunArgs {
    #[command(flatten)]
    pub(super) target: AwsTarget,
    /// Resources worked on at once.
    #[arg(long, default_value_t = 8)]
    pub(super) parallelism: usize,
    /// Attempts per AWS call on throttling and transient errors.
    #[arg(long, default_value_t = 6)]
    pub(super) max_attempts: u32,
    /// Seconds between readiness polls.
    #[arg(long, default_value_t = 5)]
    pub(super) poll_seconds: u64,
    /// Seconds a create whose outcome is unknown (killed run, timed-out call) is looked
    /// up by its tags before it is created again.
    #[arg(long, default_value_t = 30)]
    pub(super) settle_seconds: u64,
    /// How changes are made (`apply` only).
    #[arg(skip)]
    pub(super) change: ChangeArgs,
    /// The run adopts what exists and creates nothing (`state recover`).
    #[arg(skip)]
    pub(super) adopting: bool,
    /// Minutes one resource may take to become ready or be deleted.
    #[arg(long, default_value_t = 45)]
    pub(super) wait_minutes: u64,
    /// Print only errors and the summary.
    #[arg(long, conflicts_with = "json")]
    pub(super) quiet: bool,
    /// Print progress as JSON lines (for tools).
    #[arg(long)]
    pub(super) json: bool,
}

/// How `apply` makes changes.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub(super) struct ChangeArgs {
    /// Apply RDS and ElastiCache modifications now, not in the next maintenance window.
    #[arg(long)]
    pub(super) apply_immediately: bool,
    /// Keep old task definition revisions registered after a change (default: the
    /// revision a change supersedes is deregistered once the service runs the new one).
    #[arg(long)]
    pub(super) keep_replaced: bool,
}

impl RunArgs {
    pub(super) fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            parallelism: self.parallelism.max(1),
            max_attempts: self.max_attempts.max(1),
            poll_interval: std::time::Duration::from_secs(self.poll_seconds.max(1)),
            create_settle: std::time::Duration::from_secs(self.settle_seconds),
            apply_immediately: self.change.apply_immediately,
            keep_replaced: self.change.keep_replaced,
            wait_deadline: std::time::Duration::from_secs(self.wait_minutes.max(1) * 60),
            ..self.target.engine_config()
        }
    }
}

/// How `lint` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum LintFormat {
    /// Findings with remediation, then suppressions, then a summary.
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

#[derive(Debug, Subcommand)]
pub(super) enum StateCommand {
    /// List the addresses in state.
    List,
    /// Show one resource in state.
    Show {
        /// The address, e.g. `network/vpc`.
        address: String,
    },
    /// Rebuild a lost or deleted state file from the ownership tags in the account.
    /// Nothing is created or changed in AWS.
    Recover {
        /// Accepted as `apply` accepts it, for scripts: recovery creates and changes
        /// nothing in AWS, so it never asks.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Print the state as stored (JSON), or an older version of an S3 state.
    Pull {
        /// A version id from `state history` (S3 with versioning on).
        #[arg(long)]
        version: Option<String>,
    },
    /// Replace the state with FILE (e.g. one `state pull` printed, or the errored state a
    /// run left), under the lock. Refuses another stack, another lineage, an older serial,
    /// or the same serial with other content.
    Push {
        /// The state file to push.
        file: PathBuf,
        /// Push even if its lineage or serial says it would lose newer changes.
        #[arg(long)]
        force: bool,
    },
    /// List the versions of an S3 state (newest first) with their serials.
    History {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Move the state to another location (a file, or s3://BUCKET/KEY) under both locks;
    /// afterwards pass that location with --state (or set it with `state_backend`).
    Migrate {
        /// The new location.
        #[arg(long, value_name = "FILE|s3://BUCKET/KEY")]
        to: String,
    },
}
