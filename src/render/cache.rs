//! Pages kept from the previous render, so that a rebuild (`tally serve`) renders only
//! the pages whose inputs changed. A page's inputs are its template name and its
//! context: when both equal the previous render's, the previous HTML is reused. A change
//! to any template re-renders every page (templates include and extend one another).
//!
//! Sections know nothing of this: they return their jobs as always, and a change to one
//! minutes file re-renders that page and the lists, registers and feeds whose context
//! holds it, because exactly their contexts differ.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Tera};

use super::{Job, OutputFile, Renderer};
use crate::error::Result;

/// What the last render did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Pages rendered from their template.
    pub rendered: usize,
    /// Pages whose template and context were unchanged, taken from the previous render.
    pub reused: usize,
}

/// One page as last rendered.
struct Rendered {
    template: &'static str,
    context: Context,
    bytes: Vec<u8>,
}

/// The previous render's pages by output path. A disabled cache (`tally build`) keeps
/// nothing and renders every page.
#[derive(Default)]
pub struct RenderCache {
    enabled: bool,
    templates: Option<BTreeMap<String, String>>,
    pages: HashMap<String, Rendered>,
    stats: RenderStats,
    /// The templates compiled for the previous render.
    compiled: Option<(BTreeMap<String, String>, Arc<Tera>)>,
    /// Contexts of reused pages, to be dropped off the rebuild's path (see [`Self::take_garbage`]).
    garbage: Vec<Context>,
}

impl RenderCache {
    pub fn new() -> RenderCache {
        RenderCache {
            enabled: true,
            ..RenderCache::default()
        }
    }

    pub fn disabled() -> RenderCache {
        RenderCache::default()
    }

    /// Forgets every page: the next render renders them all.
    pub fn clear(&mut self) {
        self.templates = None;
        self.pages.clear();
        self.compiled = None;
    }

    /// The compiled templates of the previous render, if `templates` are still the same.
    pub(super) fn compiled(&self, templates: &BTreeMap<String, String>) -> Option<Arc<Tera>> {
        match &self.compiled {
            Some((sources, tera)) if sources == templates => Some(Arc::clone(tera)),
            _ => None,
        }
    }

    pub(super) fn keep_compiled(&mut self, templates: &BTreeMap<String, String>, tera: &Arc<Tera>) {
        if self.enabled {
            self.compiled = Some((templates.clone(), Arc::clone(tera)));
        }
    }

    /// What the last render no longer needs (the contexts of reused pages): freeing many
    /// small values takes time, which the caller may spend elsewhere (another thread).
    pub fn take_garbage(&mut self) -> Vec<Context> {
        std::mem::take(&mut self.garbage)
    }

    /// What the last render did.
    pub fn stats(&self) -> RenderStats {
        self.stats
    }

    /// Runs `jobs` in parallel, rendering only the pages that changed.
    pub(super) fn run(
        &mut self,
        renderer: &Renderer<'_>,
        jobs: Vec<Job>,
    ) -> Result<Vec<OutputFile>> {
        let templates = &renderer.site.theme.templates;
        if self.templates.as_ref() != Some(templates) {
            self.clear();
            if self.enabled {
                self.templates = Some(templates.clone());
            }
        }
        // Pair every page with its previous rendering (if any) before going parallel.
        let mut previous = std::mem::take(&mut self.pages);
        let work: Vec<(Job, Option<Rendered>)> = jobs
            .into_iter()
            .map(|job| {
                let before = match &job {
                    Job::Page { path, .. } => previous.remove(path),
                    Job::File(_) => None,
                };
                (job, before)
            })
            .collect();
        drop(previous);
        let done: Vec<Done> = match work
            .into_par_iter()
            .map(|(job, before)| run_one(renderer, job, before))
            .collect::<Result<_>>()
        {
            Ok(done) => done,
            Err(e) => {
                // The pages taken out above are gone: start afresh next time.
                self.clear();
                return Err(e);
            }
        };
        let mut stats = RenderStats::default();
        let mut files = Vec::with_capacity(done.len());
        for item in done {
            match item {
                Done::File(file) => files.push(file),
                Done::Page {
                    path,
                    page,
                    rendered,
                    unused,
                } => {
                    self.garbage.extend(unused);
                    if rendered {
                        stats.rendered += 1;
                    } else {
                        stats.reused += 1;
                    }
                    if self.enabled {
                        files.push(OutputFile::new(path.clone(), page.bytes.clone()));
                        self.pages.insert(path, page);
                    } else {
                        files.push(OutputFile::new(path, page.bytes));
                    }
                }
            }
        }
        self.stats = stats;
        Ok(files)
    }
}

enum Done {
    File(OutputFile),
    Page {
        path: String,
        page: Rendered,
        rendered: bool,
        /// The context built again for a page that was reused.
        unused: Option<Context>,
    },
}

fn run_one(renderer: &Renderer<'_>, job: Job, before: Option<Rendered>) -> Result<Done> {
    match job {
        Job::File(file) => Ok(Done::File(file)),
        Job::Page {
            path,
            template,
            context,
        } => {
            if let Some(before) = before
                && before.template == template
                && before.context == context
            {
                return Ok(Done::Page {
                    path,
                    page: before,
                    rendered: false,
                    unused: Some(context),
                });
            }
            let html = renderer.render(template, &context)?;
            Ok(Done::Page {
                path,
                page: Rendered {
                    template,
                    context,
                    bytes: html.into_bytes(),
                },
                rendered: true,
                unused: None,
            })
        }
    }
}
