//! Where photos are kept: one interface over the local filesystem (the default) and any
//! S3-compatible store, through `object_store`. Public renditions live under `public/`;
//! originals under `originals/`, which the `/media` route never serves.
use std::sync::Arc;

use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("media store configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] object_store::Error),
}

#[derive(Clone, Debug)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
}

/// The prefix of what may be served to the public.
pub const PUBLIC_PREFIX: &str = "public/";

impl MediaStore {
    /// Files under `dir` (created if missing).
    pub fn local(dir: &std::path::Path) -> Result<MediaStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Config(format!("{}: {e}", dir.display())))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(MediaStore { inner: Arc::new(fs) })
    }

    /// An S3 bucket; credentials, region and endpoint (for S3-compatible stores) come from the
    /// usual `AWS_*` variables.
    pub fn s3(bucket: &str) -> Result<MediaStore, StoreError> {
        let s3 = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket).build()?;
        Ok(MediaStore { inner: Arc::new(s3) })
    }

    /// Kept in memory: for tests.
    pub fn memory() -> MediaStore {
        MediaStore { inner: Arc::new(object_store::memory::InMemory::new()) }
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.inner.put(&Path::from(key), PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// The object's bytes, or `None` when there is none under `key`.
    pub async fn get(&self, key: &str) -> Result<Option<bytes::Bytes>, StoreError> {
        match self.inner.get(&Path::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
