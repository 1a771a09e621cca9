/** `coffer kv metadata patch KEY`. */
import { metadataWriteCommand } from './metadata-write.js';

export default metadataWriteCommand('patch');
