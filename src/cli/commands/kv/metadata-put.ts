/** `coffer kv metadata put KEY`. */
import { metadataWriteCommand } from './metadata-write.js';

export default metadataWriteCommand('put');
