//! Pages kept from the previous render, so that a rebuild (`tally serve`) renders only
//! the pages whose inputs changed. Every page is kept by its output path, with its
//! template name and what its context was made from:
//!
//! - a keyed page ([`Job::Keyed`]) by the fingerprint of the data its context is made
//!   from: when template and fingerprint are those of the previous render, the previous
//!   bytes are reused and the context is not even made;
//! - any other page ([`Job::Page`]) by its context, compared whole.
//!
//! A change to any template re-renders every page (templates include and extend one
//! another). Bytes are shared ([`Arc`]), never copied, between the cache and the output.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use rayon::prelude::*;
use tera::{Context, Tera};

use super::{Job, MakeContext, OutputFile, Renderer};
use crate::error::Result;

/// What the last render did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Pages rendered from their template.
    pub rendered: usize,
    /// Pages whose template and inputs were unchanged, taken from the previous render.
    pub reused: usize,
    /// Time spent making the jobs (views and contexts of the pages that are not keyed).
    pub contexts: Duration,
    /// Time spent deciding what to render and rendering it.
    pub rendering: Duration,
}

/// What a page's context was made from.
#[derive(PartialEq)]
enum Inputs {
    Context(Context),
    Fingerprint(u64),
}

/// One page as last rendered.
struct Rendered {
    template: &'static str,
    inputs: Inputs,
    bytes: Arc<[u8]>,
    /// The render that last produced this page (see [`RenderCache::renders`]).
    render: u64,
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
    /// Counts the renders; pages not produced by the current one are dropped after it.
    renders: u64,
}

/// A page to render now.
struct Todo {
    /// Where its bytes go in the output.
    slot: usize,
    path: String,
    template: &'static str,
}

enum Made<'a> {
    Ready(Context),
    Later(u64, MakeContext<'a>),
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

    pub(super) fn timed(&mut self, contexts: Duration, rendering: Duration) {
        self.stats.contexts = contexts;
        self.stats.rendering = rendering;
    }

    /// What the last render did.
    pub fn stats(&self) -> RenderStats {
        self.stats
    }

    /// Produces the files of `jobs`: pages whose inputs are those of the previous render
    /// are taken from it, the others are rendered in parallel.
    pub(super) fn run(
        &mut self,
        renderer: &Renderer<'_>,
        jobs: Vec<Job<'_>>,
    ) -> Result<Vec<OutputFile>> {
        let templates = &renderer.site.theme.templates;
        if self.templates.as_ref() != Some(templates) {
            self.clear();
            if self.enabled {
                self.templates = Some(templates.clone());
            }
        }
        self.renders += 1;
        let this = self.renders;
        let mut files: Vec<Option<OutputFile>> = Vec::with_capacity(jobs.len());
        let mut todo = Vec::new();
        let mut reused = 0;
        // Decide in order (cheap), then render what changed in parallel (dear). A page
        // kept from the previous render stays where it is; only its render is updated.
        for job in jobs {
            let slot = files.len();
            let (path, template, context) = match job {
                Job::File(file) => {
                    files.push(Some(file));
                    continue;
                }
                Job::Page {
                    path,
                    template,
                    context,
                } => (path, template, Made::Ready(context)),
                Job::Keyed {
                    path,
                    template,
                    fingerprint,
                    context,
                } => (path, template, Made::Later(fingerprint, context)),
            };
            let kept = self.pages.get_mut(&path).filter(|before| {
                before.template == template
                    && match (&before.inputs, &context) {
                        (Inputs::Context(old), Made::Ready(new)) => old == new,
                        (Inputs::Fingerprint(old), Made::Later(new, _)) => old == new,
                        _ => false,
                    }
            });
            match kept {
                Some(before) => {
                    reused += 1;
                    before.render = this;
                    files.push(Some(OutputFile::shared(path, Arc::clone(&before.bytes))));
                    if let Made::Ready(context) = context {
                        self.garbage.push(context);
                    }
                }
                None => {
                    files.push(None);
                    todo.push((
                        Todo {
                            slot,
                            path,
                            template,
                        },
                        context,
                    ));
                }
            }
        }
        let rendered = todo.len();
        let done: Result<Vec<(Todo, Rendered)>> = todo
            .into_par_iter()
            .map(|(todo, context)| render_one(renderer, todo, context))
            .collect();
        let done = match done {
            Ok(done) => done,
            Err(e) => {
                // The render failed: start afresh next time.
                self.clear();
                return Err(e);
            }
        };
        for (todo, mut page) in done {
            page.render = this;
            files[todo.slot] = Some(OutputFile::shared(
                todo.path.clone(),
                Arc::clone(&page.bytes),
            ));
            self.keep(todo.path, page);
        }
        // Pages no job asked for this time are gone.
        self.pages.retain(|_, page| page.render == this);
        self.stats = RenderStats {
            rendered,
            reused,
            ..RenderStats::default()
        };
        Ok(files.into_iter().flatten().collect())
    }

    fn keep(&mut self, path: String, page: Rendered) {
        if self.enabled {
            self.pages.insert(path, page);
        }
    }
}

/// Makes the page's context if it has not been made yet, and renders it.
fn render_one(renderer: &Renderer<'_>, todo: Todo, context: Made<'_>) -> Result<(Todo, Rendered)> {
    let (context, fingerprint) = match context {
        Made::Ready(context) => (context, None),
        Made::Later(fingerprint, make) => (make()?, Some(fingerprint)),
    };
    let html = renderer.render(todo.template, &context)?;
    let inputs = match fingerprint {
        Some(fingerprint) => Inputs::Fingerprint(fingerprint),
        None => Inputs::Context(context),
    };
    let page = Rendered {
        template: todo.template,
        inputs,
        bytes: Arc::from(html.into_bytes()),
        render: 0,
    };
    Ok((todo, page))
}
