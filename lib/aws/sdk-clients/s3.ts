import { S3Client } from '@aws-sdk/client-s3';
import type { ClientBuilder } from '../client-factory';

// Path-style addressing: a sandbox on 127.0.0.1 has no per-bucket host names.
export const buildS3: ClientBuilder<'s3'> = (config, settings) =>
  new S3Client({ ...config, forcePathStyle: Boolean(settings.endpoint) });
