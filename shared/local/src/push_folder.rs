//! The push port as a folder beside the outbox: each push becomes one JSON file
//! (`push/<time>-<id>.json`: the endpoint, title and body). An endpoint is `local:<platform>:`
//! and the device token; a token registered on this machine is pushed to until the device is
//! forgotten. The embedded default, so a laptop needs no SNS.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use roster_domain::ports::push::{Endpoint, Push, PushError, PushMessage};
use roster_domain::values::Platform;

#[derive(Debug, Clone)]
pub struct PushFolder {
    dir: PathBuf,
}

impl PushFolder {
    /// Writes into `dir` (created if missing).
    pub fn new(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where a forgotten endpoint is noted: sends to it fail as gone, as SNS's do.
    fn tombstone(&self, endpoint: &Endpoint) -> PathBuf {
        let safe: String = endpoint
            .as_str()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        self.dir.join(format!(".forgotten-{safe}"))
    }
}

#[async_trait]
impl Push for PushFolder {
    async fn endpoint(&self, platform: Platform, token: &str) -> Result<Endpoint, PushError> {
        let endpoint = Endpoint(format!("local:{}:{token}", platform.id()));
        let _ = std::fs::remove_file(self.tombstone(&endpoint));
        Ok(endpoint)
    }

    async fn send(&self, endpoint: &Endpoint, message: &PushMessage) -> Result<(), PushError> {
        if self.tombstone(endpoint).exists() {
            return Err(PushError::Gone(format!(
                "{} was forgotten",
                endpoint.as_str()
            )));
        }
        let id = ulid::Ulid::generate();
        let now = jiff::Timestamp::now();
        let body = serde_json::json!({
            "endpoint": endpoint.as_str(),
            "title": message.title,
            "body": message.body,
        });
        let name = format!("{}-{id}.json", now.strftime("%Y%m%dT%H%M%SZ"));
        let (path, partial) = (
            self.dir.join(&name),
            self.dir.join(format!(".{name}.partial")),
        );
        tokio::task::spawn_blocking(move || {
            std::fs::write(&partial, body.to_string())?;
            std::fs::rename(&partial, &path)
        })
        .await
        .map_err(|e| PushError::Unavailable(e.to_string()))?
        .map_err(|e| PushError::Unavailable(format!("cannot write to the push folder: {e}")))
    }

    async fn forget(&self, endpoint: &Endpoint) -> Result<(), PushError> {
        std::fs::write(self.tombstone(endpoint), "")
            .map_err(|e| PushError::Unavailable(format!("cannot write to the push folder: {e}")))
    }
}
