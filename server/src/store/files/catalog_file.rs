//! The catalog kept in `DATA_DIR/products.json`.
//!
//! The file holds `{"next_id": N, "products": [...]}`: the next id is stored so that deleting
//! the newest product never lets its id be given again, even across restarts. A plain array of
//! products (the shape of the original challenge) is read too, with the next id after the
//! largest. Each change rewrites the file through [`durable::replace_file`].

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::durable;
use crate::store::{examples, LoadError, StoreError};
use app::domain::{NewProduct, Product, ProductChanges, ProductId};

/// What `products.json` holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct CatalogFile {
    next_id: ProductId,
    products: Vec<Product>,
}

/// Either shape the file may have on disk.
#[derive(Deserialize)]
#[serde(untagged)]
enum OnDisk {
    Current(CatalogFile),
    PlainList(Vec<Product>),
}

pub struct FileProductStore {
    path: PathBuf,
    state: CatalogFile,
}

impl FileProductStore {
    /// Opens `dir/products.json`. When it does not exist it is created, with the example
    /// products if `seed_examples`. A file that exists but cannot be read or parsed is an
    /// error naming it: a damaged catalog must never be replaced by an empty one.
    pub fn open(dir: &Path, seed_examples: bool) -> Result<Self, LoadError> {
        let path = dir.join("products.json");
        let state = match fs::read(&path) {
            Ok(bytes) => Self::parse(&path, &bytes)?,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let mut store = FileProductStore {
                    path: path.clone(),
                    state: CatalogFile {
                        next_id: 1,
                        products: Vec::new(),
                    },
                };
                let seed = if seed_examples {
                    examples::products()
                } else {
                    Vec::new()
                };
                store
                    .persist(&store.state.clone())
                    .map_err(|e| LoadError::new(&path, e))?;
                for product in seed {
                    store
                        .create(product)
                        .map_err(|e| LoadError::new(&path, e))?;
                }
                return Ok(store);
            }
            Err(e) => return Err(LoadError::new(&path, e)),
        };
        Ok(FileProductStore { path, state })
    }

    fn parse(path: &Path, bytes: &[u8]) -> Result<CatalogFile, LoadError> {
        let mut state = match serde_json::from_slice::<OnDisk>(bytes) {
            Ok(OnDisk::Current(state)) => state,
            Ok(OnDisk::PlainList(products)) => CatalogFile {
                next_id: 0,
                products,
            },
            Err(e) => return Err(LoadError::new(path, format!("not a valid catalog: {e}"))),
        };
        state.products.sort_by_key(|p| p.id);
        if let Some(pair) = state.products.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(LoadError::new(
                path,
                format!("product id {} appears twice", pair[0].id),
            ));
        }
        let after_largest = state.products.last().map_or(1, |p| p.id + 1);
        state.next_id = state.next_id.max(after_largest).max(1);
        Ok(state)
    }

    /// Writes `state` durably; only then does it become the store's state.
    fn persist(&mut self, state: &CatalogFile) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(state).expect("the catalog always serializes");
        durable::replace_file(&self.path, &bytes)
    }

    /// Applies `change` to a copy of the state, persists the copy, then adopts it. On any
    /// error the store is left exactly as it was.
    fn commit<T>(
        &mut self,
        change: impl FnOnce(&mut CatalogFile) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut next = self.state.clone();
        let result = change(&mut next)?;
        self.persist(&next)?;
        self.state = next;
        Ok(result)
    }
}

fn position(state: &CatalogFile, id: ProductId) -> Result<usize, StoreError> {
    state
        .products
        .binary_search_by_key(&id, |p| p.id)
        .map_err(|_| StoreError::NotFound(id))
}

fn ensure_unique_code(
    state: &CatalogFile,
    code: &str,
    except: Option<ProductId>,
) -> Result<(), StoreError> {
    match state
        .products
        .iter()
        .find(|p| p.code == code && Some(p.id) != except)
    {
        Some(_) => Err(StoreError::DuplicateCode(code.to_string())),
        None => Ok(()),
    }
}

/// Each change below returns only once the new file is durable; on any error the store (file
/// and memory) is left exactly as it was.
impl FileProductStore {
    /// Every product, ascending by id.
    pub fn products(&self) -> &[Product] {
        &self.state.products
    }

    pub fn create(&mut self, new: NewProduct) -> Result<Product, StoreError> {
        self.commit(|state| {
            ensure_unique_code(state, &new.code, None)?;
            let product = new.with_id(state.next_id);
            state.next_id += 1;
            // Ids only grow, so pushing keeps the list sorted.
            state.products.push(product.clone());
            Ok(product)
        })
    }

    pub fn update(
        &mut self,
        id: ProductId,
        changes: ProductChanges,
        expected: Option<&Product>,
    ) -> Result<Product, StoreError> {
        self.commit(|state| {
            let at = position(state, id)?;
            if expected.is_some_and(|expected| *expected != state.products[at]) {
                return Err(StoreError::ChangedMeanwhile(id));
            }
            if let Some(code) = &changes.code {
                ensure_unique_code(state, code, Some(id))?;
            }
            changes.apply_to(&mut state.products[at]);
            Ok(state.products[at].clone())
        })
    }

    pub fn remove(&mut self, id: ProductId) -> Result<Product, StoreError> {
        self.commit(|state| {
            let at = position(state, id)?;
            Ok(state.products.remove(at))
        })
    }
}
