import { describe, expect, it } from 'vitest';
import { sampleVerdict } from '../../support/verdict.js';
import { GITLAB_NOTE_MAX_CHARS, noteBody } from '../../../src/report/gitlab/note.js';
import { gitlabNotePlace } from '../../../src/report/gitlab/place.js';
import { render } from '../../support/render.js';

const verdict = sampleVerdict;
const place = {
  checkName: 'Gate',
  jobUrl: 'https://gitlab.example.com/a/b/-/jobs/1',
  commitSha: 'c0ffee'.padEnd(40, '0'),
};

describe('the GitLab note body', () => {
  it('never starts a line with `/`, which GitLab would run as a quick action, and still reads as written', () => {
    const body = noteBody(verdict({ reason: '/approve\n/merge now' }), 'hard', place);
    expect(body).not.toMatch(/^[ \t>]*\//m);
    expect(render(body).text.replaceAll('\u200d', '')).toContain('/approve /merge now');
  });

  it("stays within GitLab's note limit however long the content, and keeps its marker last", () => {
    const tools = Array.from({ length: 20_000 }, (_, i) => ({
      tool: `/tool-${'y'.repeat(200)}-${i}`,
      count: i,
    }));
    const body = noteBody(
      verdict({ topFailingTools: tools, reason: 'x'.repeat(5_000) }),
      'hard',
      place,
      '<!-- marker -->',
    );
    expect(body.length).toBeLessThanOrEqual(GITLAB_NOTE_MAX_CHARS);
    expect(body.endsWith('<!-- marker -->')).toBe(true);
  });

  it('names the commit and links the pipeline job', () => {
    const seen = render(noteBody(verdict(), 'soft', place));
    expect(seen.text).toContain('commit c0ffee000000');
    expect(seen.links).toContain(place.jobUrl);
    expect(seen.text).toContain('pipeline job');
  });
});

describe("where the note goes, from GitLab CI's variables", () => {
  const ci = {
    CI_API_V4_URL: 'https://gitlab.example.com/api/v4',
    CI_PROJECT_ID: '12',
    CI_MERGE_REQUEST_IID: '42',
  };
  it("needs a token, a merge-request pipeline and the API's address", () => {
    expect(gitlabNotePlace(ci, undefined, 'Gate')).toBeUndefined();
    expect(gitlabNotePlace(ci, 'glpat-x', 'Gate')).toEqual({
      place: {
        apiUrl: ci.CI_API_V4_URL,
        projectId: '12',
        mergeRequestIid: 42,
        token: 'glpat-x',
        checkName: 'Gate',
      },
    });
    expect(gitlabNotePlace({ ...ci, CI_MERGE_REQUEST_IID: '' }, 'glpat-x', 'Gate')).toMatchObject({
      warn: false,
      skip: expect.stringContaining('not a merge-request pipeline'),
    });
    expect(gitlabNotePlace({ CI_MERGE_REQUEST_IID: '42' }, 'glpat-x', 'Gate')).toMatchObject({
      warn: true,
      skip: expect.stringContaining('`CI_API_V4_URL`, `CI_PROJECT_ID` are missing or malformed'),
    });
    expect(
      gitlabNotePlace(
        { ...ci, CI_API_V4_URL: 'http://gitlab.example.com/api/v4' },
        'glpat-x',
        'Gate',
      ),
    ).toMatchObject({ warn: true, skip: expect.stringContaining('plain http') });
  });
});
