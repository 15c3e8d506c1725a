//! The marking groups (Честный ЗНАК) on the catalog page: from when each group's units are
//! sold by code, from when each code is checked before sale, and what a till does when no
//! checker answers. Everyone with the catalog sees them; the admin changes them (the
//! dates follow the law, chain-wide) and tills get them with their next sync.

use serde_json::json;
use shared_model::marking::permit::MarkingGroup;
use shared_model::Role;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::widgets::{setter, spawn, use_ctx, use_fetch, ErrorBanner, Field, Select};

/// Props of [`GroupRow`].
#[derive(Properties, PartialEq)]
pub struct RowProps {
    /// The group.
    pub group: MarkingGroup,
    /// The admin may change it.
    pub editable: bool,
    /// Saved: read the list again.
    pub on_saved: Callback<()>,
}

/// One group, editable in place by the admin.
#[function_component(GroupRow)]
pub fn group_row(p: &RowProps) -> Html {
    let ctx = use_ctx();
    let g = &p.group;
    let code_from = use_state(|| g.code_from.to_string());
    let permit_from = use_state(|| g.permit_from.map(|d| d.to_string()).unwrap_or_default());
    let no_answer = use_state(|| g.no_answer.code().to_owned());
    let error = use_state(|| None::<ApiError>);
    let id = |f: &str| format!("marking-{}-{f}", g.code);
    let opts = vec![
        (
            "sell_flagged".to_owned(),
            ctx.t("no_answer_sell").to_owned(),
        ),
        ("block".to_owned(), ctx.t("no_answer_block").to_owned()),
    ];
    let save = {
        let (code, name) = (g.code.clone(), g.name.clone());
        let (code_from, permit_from, no_answer) =
            (code_from.clone(), permit_from.clone(), no_answer.clone());
        let (error, on_saved) = (error.clone(), p.on_saved.clone());
        Callback::from(move |_: MouseEvent| {
            let permit = Some(permit_from.trim().to_owned()).filter(|d| !d.is_empty());
            let body = json!({"name": name, "code_from": code_from.trim(), "permit_from": permit,
                              "no_answer": *no_answer});
            let (code, error, on_saved) = (code.clone(), error.clone(), on_saved.clone());
            spawn(async move {
                match api::put::<_, MarkingGroup>(&format!("/marking/groups/{code}"), &body).await {
                    Ok(_) => {
                        error.set(None);
                        on_saved.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let rule = |n: shared_model::marking::permit::NoAnswer| match n {
        shared_model::marking::permit::NoAnswer::Block => ctx.t("no_answer_block"),
        shared_model::marking::permit::NoAnswer::SellFlagged => ctx.t("no_answer_sell"),
    };
    html! {
        <tr data-testid={id("row")}>
            <td>{ &g.name }<small>{ format!(" {}", g.code) }</small></td>
            if p.editable {
                <td><Field id={id("code-from")} label={ctx.t("code_from")} kind="date" value={(*code_from).clone()} oninput={setter(&code_from)} /></td>
                <td><Field id={id("permit-from")} label={ctx.t("permit_from")} kind="date" value={(*permit_from).clone()} oninput={setter(&permit_from)} /></td>
                <td><Select id={id("no-answer")} label={ctx.t("no_answer_rule")} value={(*no_answer).clone()} options={opts} onchange={setter(&no_answer)} /></td>
                <td><button onclick={save} data-testid={id("save")}>{ ctx.t("save") }</button>
                    <ErrorBanner error={(*error).clone()} /></td>
            } else {
                <td>{ g.code_from.to_string() }</td>
                <td>{ g.permit_from.map(|d| d.to_string()).unwrap_or_else(|| "—".into()) }</td>
                <td>{ rule(g.no_answer) }</td>
                <td></td>
            }
        </tr>
    }
}

/// The groups' table.
#[function_component(MarkingGroups)]
pub fn marking_groups() -> Html {
    let ctx = use_ctx();
    let reload = use_state(|| 0u32);
    let (groups, error) = use_fetch::<Vec<MarkingGroup>>("/marking/groups".into(), *reload);
    let editable = ctx.me.role == Role::Admin;
    let on_saved = {
        let reload = reload.clone();
        Callback::from(move |_| reload.set(*reload + 1))
    };
    html! {
        <div class="panel" data-testid="marking-groups">
            <h2>{ ctx.t("marking_groups") }</h2>
            <ErrorBanner error={error} />
            <table>
                <thead><tr>
                    <th scope="col">{ ctx.t("marking_group") }</th><th scope="col">{ ctx.t("code_from") }</th>
                    <th scope="col">{ ctx.t("permit_from") }</th><th scope="col">{ ctx.t("no_answer_rule") }</th><th></th>
                </tr></thead>
                <tbody>
                { for groups.iter().flatten().map(|g| html! {
                    <GroupRow key={format!("{}-{}-{:?}-{}", g.code, g.code_from, g.permit_from, g.no_answer.code())}
                        group={g.clone()} {editable} on_saved={on_saved.clone()} />
                }) }
                </tbody>
            </table>
        </div>
    }
}
