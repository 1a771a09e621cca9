/**
 * One unmasked WebSocket text frame (RFC 6455 §5.2), as a server sends it. An event is
 * framed once and the same bytes go to every subscriber that may see it: framing per
 * subscriber through the ws library's send cost more than the kv write that caused the event.
 */
export function textFrame(payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + len);
  frame[0] = 0x81; // FIN, text
  if (len < 126) {
    frame[1] = len;
  } else if (len < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  payload.copy(frame, head);
  return frame;
}
