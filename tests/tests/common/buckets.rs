//! S3 buckets as template.yaml makes them, for the emulator tests and the CLI's `--table`
//! tests (which include this file by path).

#![allow(dead_code)]

/// A bucket in the tests' region, with Object Lock (and so versioning) when asked.
pub async fn create_bucket(s3: &aws_sdk_s3::Client, bucket: &str, object_lock: bool) {
    s3.create_bucket()
        .bucket(bucket)
        .object_lock_enabled_for_bucket(object_lock)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("create bucket {bucket}: {e:?}"));
}

/// Days a sealed record is kept in the tests' archive buckets.
pub const ARCHIVE_RETENTION_DAYS: i32 = 1827;

/// A bucket like the template's `AuditArchiveBucket`: versioned, Object Lock on, every object
/// kept [`ARCHIVE_RETENTION_DAYS`] in compliance mode by default.
pub async fn create_archive_bucket(s3: &aws_sdk_s3::Client, bucket: &str) {
    use aws_sdk_s3::types::{
        DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled, ObjectLockRetentionMode,
        ObjectLockRule,
    };
    create_bucket(s3, bucket, true).await;
    s3.put_object_lock_configuration()
        .bucket(bucket)
        .object_lock_configuration(
            ObjectLockConfiguration::builder()
                .object_lock_enabled(ObjectLockEnabled::Enabled)
                .rule(
                    ObjectLockRule::builder()
                        .default_retention(
                            DefaultRetention::builder()
                                .mode(ObjectLockRetentionMode::Compliance)
                                .days(ARCHIVE_RETENTION_DAYS)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("archive bucket default retention");
}
