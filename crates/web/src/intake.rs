//! Receiving a request, shared by the API and the pages: placing it by the district's
//! boundaries and gazetteer, and what follows receipt — 智能派单 when configured, and the
//! duplicate index learning of the new case.

use crate::error::{ApiError, ApiResult};
use crate::i18n::Lang;
use crate::AppState;
use chuishao_domain::case::{Assignee, CaseCommand, DispatchOrder, GeoPoint};
use chuishao_domain::{
    Actor, Case, CaseStatus, CommunityCode, DepartmentId, DistrictCode, Role, Scope, StreetCode, UnitId,
};
use chuishao_routing::{LatLon, Request as RouteRequest};

/// The community and street of a point (WGS-84), else of a name in an address; none when
/// neither falls in the district.
pub async fn locate(
    state: &AppState,
    district: &DistrictCode,
    point: Option<GeoPoint>,
    address: Option<&str>,
) -> ApiResult<Option<(StreetCode, Option<CommunityCode>)>> {
    if point.is_none() && address.is_none() {
        return Ok(None);
    }
    let router = state.routing.router(&state.store, district).await?;
    let at = point.map(|p| LatLon::new(p.lat, p.lon));
    let place = router.place(&RouteRequest { text: "", at, address, ..Default::default() });
    if let Some(c) = place.community.as_ref().and_then(|c| CommunityCode::parse(&c.code).ok()) {
        return Ok(Some((c.street(), Some(c))));
    }
    Ok(place.street.as_ref().and_then(|s| StreetCode::parse(&s.code).ok()).map(|s| (s, None)))
}

/// What follows a receipt: the case dispatched on its own when configured and the router is
/// sure enough (a failure leaves it for the dispatcher), then noted in the duplicate index.
/// Answers the case as it now stands.
pub async fn after_receive(state: &AppState, case: Case, lang: Lang) -> Case {
    let case = match auto_dispatch(state, &case, lang).await {
        Ok(Some(dispatched)) => dispatched,
        Ok(None) => case,
        Err(e) => {
            tracing::warn!(case = %case.id, error = ?e.code, "auto-dispatch skipped");
            case
        }
    };
    state.routing.note_case(&case);
    case
}

/// Dispatches a new case on its own (智能派单) when configured and the router is sure enough:
/// by a dispatcher identity of the case's street, with the router's reason as the note.
async fn auto_dispatch(state: &AppState, case: &Case, lang: Lang) -> ApiResult<Option<Case>> {
    let threshold = state.routing.config.read().unwrap_or_else(|e| e.into_inner()).auto_dispatch;
    let Some(threshold) = threshold else { return Ok(None) };
    if case.status != CaseStatus::Received || case.duty_item.is_some() {
        return Ok(None);
    }
    let d = &case.district;
    let router = state.routing.router(&state.store, d).await?;
    let routed = router.route(&RouteRequest {
        text: &case.text,
        street: Some(case.street.as_str()),
        community: case.community.as_ref().map(|c| c.as_str()),
        ..Default::default()
    });
    let Some(top) = routed.item.as_ref().filter(|i| i.probability >= threshold) else { return Ok(None) };
    let Some(item) = state.store.duty_item(d, &top.code).await? else { return Ok(None) };
    let assignee = match routed.owner.kind {
        chuishao_routing::OwnerKind::Unit => Assignee::Unit {
            id: UnitId::parse(&routed.owner.id).map_err(|_| ApiError::internal())?,
            street: case.street.clone(),
            name: routed.owner.name.clone(),
        },
        chuishao_routing::OwnerKind::Department => Assignee::Department {
            id: DepartmentId::parse(&routed.owner.id).map_err(|_| ApiError::internal())?,
            name: routed.owner.name.clone(),
        },
        chuishao_routing::OwnerKind::District => return Ok(None),
    };
    let note =
        format!("{}：{}", crate::i18n::t(lang, "auto-dispatch-note", &[]), crate::api::route::reason(&routed, lang));
    let order = DispatchOrder { assignee, duty: item.terms(), note: Some(note) };
    let actor = Actor {
        user_id: "auto-dispatch".into(),
        name: crate::i18n::t(Lang::Zh, "auto-dispatch-name", &[]),
        role: Role::Dispatcher,
        scope: Scope::Street { code: case.street.clone() },
        district: d.clone(),
    };
    let cal = state.calendar();
    let out = state
        .store
        .execute(&actor, case.id, &CaseCommand::Dispatch(order), Some(case.version), state.now(), &cal)
        .await?;
    tracing::info!(case = %case.id, item = %top.code, "auto-dispatched");
    Ok(Some(out.case))
}
