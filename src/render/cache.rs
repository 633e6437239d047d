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
//!
//! What is dear to make besides pages (charts, open data, manual bundles, invoice files)
//! is kept in [`Artifacts`] by a key and a fingerprint of exactly what it is made from:
//! unchanged, it is not made again.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rayon::prelude::*;
use tera::{Context, Tera};

use super::{Job, MakeContext, OutputFile, Renderer};
use crate::error::{Error, Result};

/// What the last render did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Pages rendered from their template.
    pub rendered: usize,
    /// Pages whose template and inputs were unchanged, taken from the previous render.
    pub reused: usize,
    /// The keys of the files made anew (charts, open data, bundles, invoice files: see
    /// [`Artifacts`]), sorted: `reports/2026-W47/charts/`, `invoices/INV-2026-Q3/`, …
    pub made: Vec<String>,
    /// How many of those were unchanged and taken from the previous render.
    pub kept: usize,
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
    /// Files and what else is dear to make, by key.
    made: Arc<Artifacts>,
}

/// Things dear to make, each kept by a key with a fingerprint of exactly the data it is
/// made from; shared by the jobs of one render (see [`super::Renderer::made`]).
#[derive(Default)]
pub struct Artifacts {
    enabled: bool,
    kept: Mutex<MadeState>,
    /// By key, the items last hashed by [`Artifacts::hash_items`], each with its hash
    /// (a `Vec<(Arc<T>, u64)>`).
    hashed: Mutex<HashMap<String, Box<dyn Any + Send + Sync>>>,
}

#[derive(Default)]
struct MadeState {
    /// Key → (fingerprint, value, the render that last used it).
    values: HashMap<String, (u64, Arc<dyn Any + Send + Sync>, u64)>,
    render: u64,
    made: Vec<String>,
    kept: usize,
}

impl Artifacts {
    fn enabled() -> Artifacts {
        Artifacts {
            enabled: true,
            kept: Mutex::default(),
            hashed: Mutex::default(),
        }
    }

    /// Whether values are kept between renders (not in a one-off build).
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    fn lock(&self) -> MutexGuard<'_, MadeState> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value kept under `key` if it was made from data with this `fingerprint`;
    /// otherwise the one `make` makes now (kept for the next render).
    pub fn get_or_make<T: Send + Sync + 'static>(
        &self,
        key: &str,
        fingerprint: u64,
        make: impl FnOnce() -> Result<T>,
    ) -> Result<Arc<T>> {
        {
            let mut state = self.lock();
            let render = state.render;
            let kept = state
                .values
                .get_mut(key)
                .filter(|(kept, _, _)| *kept == fingerprint)
                .and_then(|(_, value, used)| {
                    let first = *used != render;
                    *used = render;
                    Some((first, Arc::clone(value).downcast::<T>().ok()?))
                });
            if let Some((first, value)) = kept {
                // Counted once however many jobs ask for it.
                state.kept += usize::from(first);
                return Ok(value);
            }
        }
        // Artifacts without the lock held: other jobs make theirs meanwhile.
        let value = Arc::new(make()?);
        let mut state = self.lock();
        state.made.push(key.to_string());
        if self.enabled {
            let render = state.render;
            let shared: Arc<dyn Any + Send + Sync> = value.clone();
            state
                .values
                .insert(key.to_string(), (fingerprint, shared, render));
        }
        Ok(value)
    }

    /// A new render begins.
    fn begin(&self) {
        let mut state = self.lock();
        state.render += 1;
        state.made.clear();
        state.kept = 0;
    }

    /// The render is over: what it did not ask for is gone. Returns the keys made
    /// (sorted) and how many values were kept.
    fn end(&self) -> (Vec<String>, usize) {
        let mut state = self.lock();
        let render = state.render;
        state.values.retain(|_, (_, _, used)| *used == render);
        let mut made = std::mem::take(&mut state.made);
        made.sort_unstable();
        (made, state.kept)
    }

    fn clear(&self) {
        self.lock().values.clear();
        self.hashed_items().clear();
    }

    /// A hash of `items`, each hashed by `hash`: the same for equal items within one run.
    /// While the cache is enabled, each item's hash is kept with the item under `key`,
    /// and an item listed again (the same [`Arc`]: records of unchanged files stay the
    /// same `Arc`s) is not hashed again, so that a long list of records of which one
    /// changed is not hashed whole again (`tally serve`). `hash` must be the same
    /// function every time for one `key`.
    pub fn hash_items<T: Send + Sync + 'static>(
        &self,
        key: &str,
        items: &[Arc<T>],
        hash: impl Fn(&T) -> u64,
    ) -> u64 {
        if !self.enabled {
            return combined(items.iter().map(|item| hash(item)), items.len());
        }
        let mut hashed = self.hashed_items();
        let kept = hashed
            .entry(key.to_string())
            .or_insert_with(|| Box::new(Vec::<(Arc<T>, u64)>::new()));
        let Some(kept) = kept.downcast_mut::<Vec<(Arc<T>, u64)>>() else {
            // Another type under this key: a mistake, but not one to fail on.
            return combined(items.iter().map(|item| hash(item)), items.len());
        };
        // Where items moved (some were added or removed before them), they are found by
        // address, once the addresses of the items before are taken: an address in
        // `kept` is that of a live item, which `kept` holds.
        let mut by_address: Option<HashMap<*const T, u64>> = None;
        let mut missed = 0;
        for (i, item) in items.iter().enumerate() {
            if kept.get(i).is_some_and(|(k, _)| Arc::ptr_eq(k, item)) {
                continue;
            }
            missed += 1;
            if missed > MOVED && by_address.is_none() {
                by_address = Some(kept.iter().map(|(k, h)| (Arc::as_ptr(k), *h)).collect());
            }
            let moved = by_address
                .as_ref()
                .and_then(|index| index.get(&Arc::as_ptr(item)).copied());
            let h = moved.unwrap_or_else(|| hash(item));
            match kept.get_mut(i) {
                Some(slot) => *slot = (Arc::clone(item), h),
                None => kept.push((Arc::clone(item), h)),
            }
        }
        kept.truncate(items.len());
        combined(kept.iter().map(|(_, h)| *h), items.len())
    }

    fn hashed_items(&self) -> MutexGuard<'_, HashMap<String, Box<dyn Any + Send + Sync>>> {
        self.hashed.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// How many items of a list may be new in [`Artifacts::hash_items`] before the items
/// kept are looked up by address: the items of one changed file are hashed anew without.
const MOVED: usize = 16;

/// One hash of `count` hashes, in order.
fn combined(hashes: impl Iterator<Item = u64>, count: usize) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write_usize(count);
    for h in hashes {
        hasher.write_u64(h);
    }
    hasher.finish()
}

/// A page to render now.
struct Todo {
    /// Where its bytes go in the output.
    slot: usize,
    path: String,
    template: &'static str,
}

/// What [`RenderCache::sort_out`] decides: the files in job order (`None` still to
/// render), the pages to render, and how many pages were kept.
type Sorted<'a> = (Vec<Option<OutputFile>>, Vec<(Todo, Pending<'a>)>, usize);

enum Pending<'a> {
    Ready(Context),
    Later(u64, MakeContext<'a>),
}

impl RenderCache {
    pub fn new() -> RenderCache {
        RenderCache {
            enabled: true,
            made: Arc::new(Artifacts::enabled()),
            ..RenderCache::default()
        }
    }

    /// What the jobs of the next render share: the things made by the previous one.
    /// Call before making the jobs; [`Self::run`] ends the render.
    pub(super) fn begin(&mut self) -> Arc<Artifacts> {
        self.made.begin();
        Arc::clone(&self.made)
    }

    pub fn disabled() -> RenderCache {
        RenderCache::default()
    }

    /// Forgets every page: the next render renders them all.
    pub fn clear(&mut self) {
        self.templates = None;
        self.pages.clear();
        self.compiled = None;
        self.made.clear();
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
        self.stats.clone()
    }

    /// Produces the files of `jobs`: pages whose inputs are those of the previous render
    /// are taken from it, the others are rendered in parallel.
    pub(super) fn run(
        &mut self,
        renderer: &Renderer<'_>,
        jobs: Vec<Job<'_>>,
    ) -> Result<Vec<OutputFile>> {
        self.forget_on_new_templates(&renderer.site.theme.templates);
        self.renders += 1;
        let this = self.renders;
        let (mut files, todo, reused) = self.sort_out(jobs, this);
        let rendered = todo.len();
        // Files made whole by the sections go out first, before the pages add theirs.
        files
            .par_iter_mut()
            .flatten()
            .filter(|file| file.stored.is_none())
            .try_for_each(|file| {
                if let Some(sink) = renderer.sink {
                    *file = sink.store(std::mem::take(&mut file.path), &file.bytes)?;
                }
                Ok::<(), Error>(())
            })?;
        // A page is held past its render only by a cache that keeps it.
        let keeping = self.enabled;
        let done: Result<Vec<(Todo, Option<Rendered>, OutputFile)>> = todo
            .into_par_iter()
            .map(|(todo, context)| {
                let (todo, page) = render_one(renderer, todo, context)?;
                let file = renderer.finished(todo.path.clone(), Arc::clone(&page.bytes))?;
                Ok((todo, keeping.then_some(page), file))
            })
            .collect();
        let done = match done {
            Ok(done) => done,
            Err(e) => {
                // The render failed: start afresh next time.
                self.clear();
                self.made.end();
                return Err(e);
            }
        };
        for (todo, page, file) in done {
            files[todo.slot] = Some(file);
            if let Some(mut page) = page {
                page.render = this;
                self.keep(todo.path, page);
            }
        }
        // Pages no job asked for this time are gone.
        self.pages.retain(|_, page| page.render == this);
        let (made, kept) = self.made.end();
        self.stats = RenderStats {
            rendered,
            reused,
            made,
            kept,
            ..RenderStats::default()
        };
        Ok(files.into_iter().flatten().collect())
    }

    /// Forgets every page, and the compiled templates, when the theme's templates are
    /// not those of the previous render (and remembers the new ones, when enabled).
    fn forget_on_new_templates(&mut self, templates: &BTreeMap<String, String>) {
        if self.templates.as_ref() != Some(templates) {
            self.templates = None;
            self.pages.clear();
            self.compiled = None;
            if self.enabled {
                self.templates = Some(templates.clone());
            }
        }
    }

    /// Decides in order (cheap) which job's page is kept from the previous render and
    /// which must be rendered (dear, done in parallel after): the files in job order
    /// (`None` where a page is still to render), the pages to render, and how many were
    /// kept. A kept page stays where it is; only its render is updated to `this`.
    fn sort_out<'a>(&mut self, jobs: Vec<Job<'a>>, this: u64) -> Sorted<'a> {
        let mut files: Vec<Option<OutputFile>> = Vec::with_capacity(jobs.len());
        let mut todo = Vec::new();
        let mut reused = 0;
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
                } => (path, template, Pending::Ready(context)),
                Job::Keyed {
                    path,
                    template,
                    fingerprint,
                    context,
                } => (path, template, Pending::Later(fingerprint, context)),
            };
            let kept = self.pages.get_mut(&path).filter(|before| {
                before.template == template
                    && match (&before.inputs, &context) {
                        (Inputs::Context(old), Pending::Ready(new)) => old == new,
                        (Inputs::Fingerprint(old), Pending::Later(new, _)) => old == new,
                        _ => false,
                    }
            });
            let Some(before) = kept else {
                files.push(None);
                let page = Todo {
                    slot,
                    path,
                    template,
                };
                todo.push((page, context));
                continue;
            };
            reused += 1;
            before.render = this;
            files.push(Some(OutputFile::shared(path, Arc::clone(&before.bytes))));
            if let Pending::Ready(context) = context {
                self.garbage.push(context);
            }
        }
        (files, todo, reused)
    }

    fn keep(&mut self, path: String, page: Rendered) {
        if self.enabled {
            self.pages.insert(path, page);
        }
    }
}

/// Makes the page's context if it has not been made yet, and renders it.
fn render_one(
    renderer: &Renderer<'_>,
    todo: Todo,
    context: Pending<'_>,
) -> Result<(Todo, Rendered)> {
    let (context, fingerprint) = match context {
        Pending::Ready(context) => (context, None),
        Pending::Later(fingerprint, make) => (make()?, Some(fingerprint)),
    };
    let html = renderer.render_page(&todo.path, todo.template, &context)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn items_listed_again_are_not_hashed_again_and_the_hash_follows_them() {
        let artifacts = Artifacts::enabled();
        let calls = Cell::new(0);
        let hash = |s: &String| {
            calls.set(calls.get() + 1);
            super::super::hash_of(s)
        };
        let items: Vec<Arc<String>> = ["a", "b", "c"].map(|s| Arc::new(s.to_string())).into();
        let first = artifacts.hash_items("k", &items, hash);
        assert_eq!(calls.get(), 3);
        assert_eq!(artifacts.hash_items("k", &items, hash), first);
        assert_eq!(calls.get(), 3, "the same items are not hashed again");

        // Equal items, made anew: hashed, with the same result (as in a one-off build).
        let fresh: Vec<Arc<String>> = ["a", "b", "c"].map(|s| Arc::new(s.to_string())).into();
        assert_eq!(artifacts.hash_items("k", &fresh, hash), first);
        assert_eq!(calls.get(), 6);
        assert_eq!(Artifacts::default().hash_items("k", &fresh, hash), first);

        // One item changed: only it is hashed.
        let mut changed = fresh.clone();
        changed[1] = Arc::new("B".to_string());
        let calls_before = calls.get();
        let after = artifacts.hash_items("k", &changed, hash);
        assert_eq!(calls.get(), calls_before + 1);
        assert_ne!(after, first);
        assert_eq!(Artifacts::default().hash_items("k", &changed, hash), after);

        // A long list, then one item added in front and one removed: the items that
        // moved are found, not hashed again.
        let long: Vec<Arc<String>> = (0..200).map(|i| Arc::new(i.to_string())).collect();
        artifacts.hash_items("k", &long, hash);
        let mut moved = long.clone();
        moved.insert(0, Arc::new("new".to_string()));
        moved.remove(100);
        let calls_before = calls.get();
        let hashed = artifacts.hash_items("k", &moved, hash);
        assert!(calls.get() - calls_before < 2 * MOVED, "{}", calls.get());
        assert_eq!(Artifacts::default().hash_items("k", &moved, hash), hashed);
        assert_ne!(Artifacts::default().hash_items("k", &long, hash), hashed);
        let reordered = vec![Arc::clone(&changed[2]), Arc::clone(&changed[1])];
        assert_ne!(
            artifacts.hash_items("k", &reordered, hash),
            Artifacts::default().hash_items("k", &changed, hash),
        );
        assert_eq!(
            artifacts.hash_items("k", &reordered, hash),
            Artifacts::default().hash_items("k", &reordered, hash),
        );

        artifacts.clear();
        let calls_before = calls.get();
        artifacts.hash_items("k", &reordered, hash);
        assert_eq!(calls.get(), calls_before + 2, "forgotten");
    }
}
