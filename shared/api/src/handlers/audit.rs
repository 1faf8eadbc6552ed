//! `GET /audit` (SPEC.md §8): the account's changes, newest first.

use http::StatusCode;
use roster_domain::usecases::AuditCursor;

use crate::app::App;
use crate::input::Input;
use crate::routes::Reply;
use crate::views::{AuditListView, decode_json_cursor, encode_json_cursor, json};

pub async fn list(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let limit = input.limit(50)?;
    let from: Option<AuditCursor> = input.query("cursor").map(decode_json_cursor).transpose()?;
    let page = app.roster().list_audit(&actor, limit, from).await?;
    let view = AuditListView {
        entries: &page.entries,
        next_cursor: page.next.as_ref().map(encode_json_cursor),
    };
    Ok(json(StatusCode::OK, &view))
}
