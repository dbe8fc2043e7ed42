import { describe, expect, it } from 'vitest';
import { codeSpan } from '../../../src/core/render/escape.js';
import { commentMarker, defuseMarkers, endsWithMarker } from '../../../src/core/render/marker.js';
import { renderVerdict } from '../../../src/core/render/markdown.js';
import { failedVerdict } from '../../../src/core/verdict/verdict.js';

const marker = commentMarker('Release Gate');

describe('a marker planted by backend text', () => {
  it('cannot pass through a code span or any other rendered id', () => {
    expect(codeSpan(marker)).not.toContain(marker);
    expect(codeSpan(marker).replaceAll('\u200d', '')).toBe(`\`${marker}\``);
    expect(defuseMarkers(`a ${marker} <!-- b`)).not.toContain('<!--');
    const verdict = failedVerdict('Sepurux', 'no', { run_id: marker, trace_id: marker }, 0);
    const body = renderVerdict(verdict, {
      title: 'Gate',
      mode: 'hard',
      maxTools: 10,
      maxChars: 60_000,
      footer: commentMarker('Gate'),
    });
    expect(body).not.toContain(marker);
    expect(endsWithMarker(body, commentMarker('Gate'))).toBe(true);
  });

  it("names a body only on the body's last line, where the gate puts it", () => {
    expect(endsWithMarker(`verdict\n${marker}`, marker)).toBe(true);
    expect(endsWithMarker(`verdict\r\n${marker}\n`, marker)).toBe(true);
    expect(endsWithMarker(`run \`${marker}\`\n${commentMarker('Gate')}`, marker)).toBe(false);
    expect(endsWithMarker(`quoted ${marker}`, marker)).toBe(false);
    expect(endsWithMarker(undefined, marker)).toBe(false);
  });
});
