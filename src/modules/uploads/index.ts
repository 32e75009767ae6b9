/** Staged uploads: bytes announced through GraphQL and PUT to a single-use URL, kept in the database. */
export { UploadService, ownUpload, purgeUploads, takeUpload } from './upload.service.js';
export { UploadResolver } from './upload.resolver.js';
export { receiveUpload } from './upload-receive.js';
export { uploadChunksOf, uploadStream } from './upload-bytes.js';
export { AUDIO_TYPES, audioExtension } from './containers.js';
export { StagedUploadStatus, UploadPurpose, type StagedUploadRow } from './upload.type.js';
