// The OASys question catalogue an assessment names: fetched once per version and kept for the session.
const loaded = new Map();

export async function questionCatalogue(api, version) {
  if (!loaded.has(version)) {
    const request = api(`/assessments/catalogues/${encodeURIComponent(version)}`).then(({ data }) => {
      const questions = new Map();
      for (const section of data.sections) {
        for (const question of section.questions) questions.set(question.code, { ...question, section });
      }
      return { ...data, questions };
    });
    request.catch(() => loaded.delete(version));
    loaded.set(version, request);
  }
  return loaded.get(version);
}

export const SOURCES = {
  CASE_RECORD: { label: 'Case record', colour: 'blue' },
  RISK: { label: 'Risk scores', colour: 'purple' },
  PREVIOUS_ASSESSMENT: { label: 'Previous assessment', colour: 'turquoise' },
  ASSESSOR: { label: 'Assessor', colour: 'grey' },
};

// An answer as its option labels (or the value itself for a count, date or text).
export function answerText(question, value) {
  const values = Array.isArray(value) ? value : [value];
  const labels = values.map((v) => question?.options.find((o) => o.code === String(v))?.label ?? String(v));
  return labels.join(', ') || 'None ticked';
}
