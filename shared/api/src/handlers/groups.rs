//! `/groups`, their members and shifts (SPEC.md §6).

use http::StatusCode;
use roster_domain::usecases::{GroupInput, MemberInput, ShiftInput};
use roster_domain::{DomainError, FieldError};

use crate::app::App;
use crate::input::Input;
use crate::routes::Reply;
use crate::views::{
    GroupDetailView, GroupListView, GroupView, MemberListView, MemberView, MembershipView,
    OnCallView, ShiftListView, ShiftView, empty, json,
};

/// `?at=` as an instant; absent means now.
fn at(input: &Input) -> Result<Option<jiff::Timestamp>, DomainError> {
    input
        .query("at")
        .map(|raw| {
            raw.trim().parse().map_err(|_| {
                DomainError::Validation(vec![FieldError::new(
                    "at",
                    "At must be an RFC 3339 date and time, like 2027-07-15T13:30:00Z",
                )])
            })
        })
        .transpose()
}

pub async fn create(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let body: GroupInput = input.json()?;
    let group = app.roster().create_group(&actor, &body).await?;
    Ok(json(StatusCode::CREATED, &GroupView::of(&group)))
}

pub async fn list(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let groups = app.roster().list_groups(&actor).await?;
    let view = GroupListView {
        groups: groups.iter().map(GroupView::of).collect(),
    };
    Ok(json(StatusCode::OK, &view))
}

pub async fn get(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let (detail, members) = app.roster().get_group(&actor, &input.id("id")?).await?;
    let mut shifts: Vec<_> = detail.shifts.iter().collect();
    shifts.sort_by_key(|s| (s.starts_at(), s.id.clone()));
    let view = GroupDetailView {
        group: GroupView::of(&detail.group),
        members: members.iter().map(MemberView::of).collect(),
        shifts: shifts.into_iter().map(ShiftView::of).collect(),
    };
    Ok(json(StatusCode::OK, &view))
}

pub async fn rename(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let body: GroupInput = input.json()?;
    let group = app
        .roster()
        .rename_group(&actor, &input.id("id")?, &body)
        .await?;
    Ok(json(StatusCode::OK, &GroupView::of(&group)))
}

pub async fn delete(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    app.roster().delete_group(&actor, &input.id("id")?).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub async fn list_members(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let members = app.roster().list_members(&actor, &input.id("id")?).await?;
    let view = MemberListView {
        members: members.iter().map(MemberView::of).collect(),
    };
    Ok(json(StatusCode::OK, &view))
}

pub async fn put_member(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let body: MemberInput = input.json()?;
    let (membership, created) = app
        .roster()
        .put_member(&actor, &input.id("id")?, &input.id("user_id")?, &body)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json(status, &MembershipView::of(&membership)))
}

pub async fn remove_member(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    app.roster()
        .remove_member(&actor, &input.id("id")?, &input.id("user_id")?)
        .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub async fn list_shifts(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let shifts = app.roster().list_shifts(&actor, &input.id("id")?).await?;
    let view = ShiftListView {
        shifts: shifts.iter().map(ShiftView::of).collect(),
    };
    Ok(json(StatusCode::OK, &view))
}

pub async fn get_shift(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let shift = app
        .roster()
        .get_shift(&actor, &input.id("id")?, &input.id("shift_id")?)
        .await?;
    Ok(json(StatusCode::OK, &ShiftView::of(&shift)))
}

pub async fn create_shift(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let body: ShiftInput = input.json()?;
    let shift = app
        .roster()
        .create_shift(&actor, &input.id("id")?, &body)
        .await?;
    Ok(json(StatusCode::CREATED, &ShiftView::of(&shift)))
}

pub async fn update_shift(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let body: ShiftInput = input.json()?;
    let shift = app
        .roster()
        .update_shift(&actor, &input.id("id")?, &input.id("shift_id")?, &body)
        .await?;
    Ok(json(StatusCode::OK, &ShiftView::of(&shift)))
}

pub async fn delete_shift(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    app.roster()
        .delete_shift(&actor, &input.id("id")?, &input.id("shift_id")?)
        .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub async fn on_call(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let on_call = app
        .roster()
        .on_call(&actor, &input.id("id")?, at(&input)?)
        .await?;
    Ok(json(StatusCode::OK, &OnCallView::of(&on_call)))
}
