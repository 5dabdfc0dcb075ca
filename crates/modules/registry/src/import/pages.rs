//! The import pages: upload and earlier imports, a preview with its rejected rows, the error
//! report, commit and cancel; the template downloads; the export download.

use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::clock::format_local;
use yijia_kernel::i18n::Tr;
use yijia_kernel::{Actor, Error};
use yijia_web::{is_form_error, render, with_error_status, Chrome, CurrentActor, PageCtx, WebResult, P, Q};

use super::commit::{self, all_rejected, community_for_bulk, imports_of, ImportSummary};
use super::export::{self, csv_bytes, ExportFile, ExportFormat, ExportOptions};
use super::store::ImportRecord;
use super::{ImportKind, RowError, PREVIEW_ROWS};
use crate::permissions::BULK;
use crate::query::{communities_in_reach, ListQuery};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::error::codes;

/// `?community=ID`; without it, the first community the person may import into.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommunityQuery {
    pub community: Option<i64>,
}

async fn community_id(ctx: &PageCtx, actor: &Actor, asked: Option<i64>) -> Result<i64, Error> {
    match asked {
        Some(id) => Ok(id),
        None => communities_in_reach(&ctx.state, actor, &BULK)
            .await?
            .into_iter()
            .find(|c| BULK.allows(actor, &c.place()))
            .map(|c| c.community_id)
            .ok_or(Error::Forbidden),
    }
}

/// An import in a list, with its moment and status in the reader's words.
pub struct ImportLine {
    pub rec: ImportRecord,
    pub when: String,
    pub status: String,
}

fn line(rec: ImportRecord, tr: &Tr, tz: &str) -> ImportLine {
    ImportLine {
        when: format_local(rec.created_at, tz),
        status: tr.t(&format!("registry_import.status_{}", rec.status)),
        rec,
    }
}

#[derive(Template)]
#[template(path = "import_list.html")]
struct ListPage {
    chrome: Chrome,
    community: CommunityAt,
    imports: Vec<ImportLine>,
    error: Option<String>,
    hint: String,
}

async fn list_page(ctx: &PageCtx, actor: &Actor, community_id: i64, error: Option<&Error>) -> WebResult<Response> {
    let (community, imports) = imports_of(&ctx.state, actor, community_id).await?;
    let chrome = Chrome::new(ctx, "registry_import.title");
    let imports = imports
        .into_iter()
        .map(|r| line(r, &chrome.tr, &community.time_zone))
        .collect();
    let error = error.map(|e| match e {
        Error::Validation(f) => f
            .get("file")
            .map_or_else(|| chrome.tr.msg(&e.message()), |m| chrome.tr.msg(m)),
        other => chrome.tr.msg(&other.message()),
    });
    let hint = chrome.tr.tf(
        "registry_import.file_hint",
        &[
            ("rows", super::MAX_ROWS.to_string()),
            ("mb", (super::MAX_UPLOAD_BYTES / 1024 / 1024).to_string()),
        ],
    );
    render(ListPage {
        chrome,
        community,
        imports,
        error,
        hint,
    })
}

/// The upload form and the person's earlier imports into the community.
pub async fn list(ctx: PageCtx, CurrentActor(actor): CurrentActor, Q(q): Q<CommunityQuery>) -> WebResult<Response> {
    let id = community_id(&ctx, &actor, q.community).await?;
    list_page(&ctx, &actor, id, None).await
}

/// The first file of a multipart form: its name and bytes, and the kind of file chosen above it
/// (the form puts its `kind` field first). An empty file is read as empty (the import says so),
/// not as a missing one.
async fn read_upload(mp: Result<Multipart, MultipartRejection>) -> Result<(ImportKind, String, Vec<u8>), Error> {
    let mut mp = mp.map_err(|_| Error::bad_request(codes::BAD_FORM, "error.bad_form"))?;
    let too_large = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Error::rejected(413, codes::PAYLOAD_TOO_LARGE, "error.payload_too_large")
        } else {
            Error::bad_request(codes::BAD_FORM, "error.bad_form")
        }
    };
    let mut kind = ImportKind::Residents;
    while let Some(field) = mp.next_field().await.map_err(|e| too_large(e.status()))? {
        let Some(name) = field.file_name().map(str::to_owned) else {
            if field.name() == Some("kind") {
                let text = field.text().await.map_err(|e| too_large(e.status()))?;
                kind = ImportKind::parse(&text).ok_or_else(|| Error::field("file", "registry.bad_choice"))?;
            }
            continue;
        };
        let bytes = field.bytes().await.map_err(|e| too_large(e.status()))?;
        if name.is_empty() && bytes.is_empty() {
            // A browser sends an empty part when no file was chosen.
            break;
        }
        return Ok((kind, name, bytes.to_vec()));
    }
    Err(Error::field("file", "file.missing"))
}

/// Reads and checks the uploaded file, then shows its preview.
pub async fn upload(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    Q(q): Q<CommunityQuery>,
    mp: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    let id = community_id(&ctx, &actor, q.community).await?;
    // Refuse before reading a large body.
    community_for_bulk(&ctx.state, &actor, id).await?;
    let result = match read_upload(mp).await {
        Ok((kind, name, bytes)) => commit::import_file(&ctx.state, &actor, id, kind, &name, bytes).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => Ok(Redirect::to(&format!("/registry/imports/{}", s.import.import_id)).into_response()),
        Err(e) if is_form_error(&e) || e.status() == 413 => {
            let res = list_page(&ctx, &actor, id, Some(&e)).await?;
            Ok(with_error_status(res, &e))
        }
        Err(e) => Err(e.into()),
    }
}

/// A rejected row in the reader's words.
pub struct RejectedLine {
    pub row: i64,
    pub name: String,
    pub address: String,
    /// (column label, message)
    pub errors: Vec<(String, String)>,
}

fn messages(errors: &[RowError], tr: &Tr) -> Vec<(String, String)> {
    errors.iter().map(|e| (e.column_label(tr), e.message(tr))).collect()
}

#[derive(Template)]
#[template(path = "import_show.html")]
struct ShowPage {
    chrome: Chrome,
    s: ImportSummary,
    line: ImportLine,
    rows: Vec<RejectedLine>,
    /// Accepted rows with a remark (a repeat kept once).
    noted: Vec<RejectedLine>,
    error: Option<String>,
    counts: String,
    commit_label: String,
    committed: String,
    more: String,
}

async fn show_page(ctx: &PageCtx, actor: &Actor, id: i64, error: Option<&Error>) -> WebResult<Response> {
    let s = commit::summary(&ctx.state, actor, id).await?;
    let chrome = Chrome::new(ctx, "registry_import.preview");
    let tr = chrome.tr.clone();
    let n = |v: i64| v.to_string();
    let counts = tr.tf(
        "registry_import.counts",
        &[
            ("total", n(s.import.total_rows)),
            ("accepted", n(s.import.accepted_rows)),
            ("rejected", n(s.import.rejected_rows())),
        ],
    );
    let commit_label = tr.tf("registry_import.commit_button", &[("count", n(s.import.accepted_rows))]);
    let committed = tr.tf("registry_import.committed", &[("count", n(s.import.accepted_rows))]);
    let more = tr.tf("registry_import.more_in_report", &[("shown", PREVIEW_ROWS.to_string())]);
    let lines = |rows: &[commit::RejectedRow]| -> Vec<RejectedLine> {
        rows.iter()
            .map(|r| RejectedLine {
                row: r.row,
                name: r.name.clone(),
                address: r.address.clone(),
                errors: messages(&r.errors, &tr),
            })
            .collect()
    };
    let rows = lines(&s.rejected);
    let noted = lines(&s.noted);
    render(ShowPage {
        line: line(s.import.clone(), &tr, &s.community.time_zone),
        error: error.map(|e| tr.msg(&e.message())),
        chrome,
        rows,
        noted,
        counts,
        commit_label,
        committed,
        more,
        s,
    })
}

/// A preview: the counts, the first rejected rows with their errors, commit and cancel.
pub async fn show(ctx: PageCtx, CurrentActor(actor): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    show_page(&ctx, &actor, id, None).await
}

/// Writes the accepted rows, then shows the import again.
pub async fn post_commit(ctx: PageCtx, CurrentActor(actor): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    match commit::commit(&ctx.state, &actor, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/registry/imports/{id}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let res = show_page(&ctx, &actor, id, Some(&e)).await?;
            Ok(with_error_status(res, &e))
        }
        Err(e) => Err(e.into()),
    }
}

/// Cancels a preview and goes back to the list.
pub async fn post_cancel(ctx: PageCtx, CurrentActor(actor): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let s = commit::summary(&ctx.state, &actor, id).await?;
    match commit::cancel(&ctx.state, &actor, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/registry/imports?community={}", s.import.community_id)).into_response()),
        Err(e) if is_form_error(&e) => {
            let res = show_page(&ctx, &actor, id, Some(&e)).await?;
            Ok(with_error_status(res, &e))
        }
        Err(e) => Err(e.into()),
    }
}

/// A file to download: never cached, since most hold personal data.
fn download(f: ExportFile) -> Response {
    (
        [
            (header::CONTENT_TYPE, f.content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", f.file_name),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        f.bytes,
    )
        .into_response()
}

/// Every rejected row's errors, one line each: row, column, message, name (UTF-8 with a BOM).
pub async fn errors_csv(ctx: PageCtx, CurrentActor(actor): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let (import, rows) = all_rejected(&ctx.state, &actor, id).await?;
    let tr = &ctx.tr;
    let header: Vec<String> = ["row", "column", "message", "name"]
        .iter()
        .map(|k| tr.t(&format!("registry_import.report_{k}")))
        .collect();
    let lines: Vec<Vec<String>> = rows
        .iter()
        .flat_map(|r| {
            r.errors
                .iter()
                .map(|e| vec![r.row.to_string(), e.column_label(tr), e.message(tr), r.name.clone()])
        })
        .collect();
    Ok(download(ExportFile {
        bytes: csv_bytes(&header, &lines)?,
        content_type: export::CSV_TYPE,
        file_name: format!("import-{}-errors.csv", import.import_id),
        count: lines.len(),
    }))
}

pub async fn template_xlsx(ctx: PageCtx, CurrentActor(_): CurrentActor) -> WebResult<Response> {
    Ok(download(export::template(ExportFormat::Xlsx, ctx.tr.lang())?))
}

pub async fn template_csv(ctx: PageCtx, CurrentActor(_): CurrentActor) -> WebResult<Response> {
    Ok(download(export::template(ExportFormat::Csv, ctx.tr.lang())?))
}

/// `format=xlsx|csv`, `full=1` for numbers in full; the list's filter beside them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportParams {
    pub format: String,
    pub full: String,
}

impl ExportParams {
    pub fn options(&self) -> Result<ExportOptions, Error> {
        let format =
            ExportFormat::parse(&self.format).ok_or_else(|| Error::field("format", "registry_import.bad_format"))?;
        Ok(ExportOptions {
            format,
            full: matches!(self.full.as_str(), "1" | "true" | "on" | "yes"),
        })
    }
}

/// The resident list as a file, with the list's filter.
pub async fn export(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    Q(list): Q<ListQuery>,
    Q(params): Q<ExportParams>,
) -> WebResult<Response> {
    let opts = params.options()?;
    let file = export::export(&ctx.state, &actor, &list, opts, ctx.tr.lang()).await?;
    Ok(download(file))
}
