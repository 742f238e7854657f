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

// An answer as its option labels (or the value itself for a count, date or text).
function answerText(question, value) {
  const values = Array.isArray(value) ? value : [value];
  const labels = values.map((v) => question?.options.find((o) => o.code === String(v))?.label ?? String(v));
  return labels.join(', ') || 'None ticked';
}

// A question as people read it: its OASys number and its words, never its code ("2.2_V2_WEAPON" is
// 2.2, "Did the offence involve any of the following - Carrying or using a weapon"). Many texts start
// with their number already; the rest take it from the code ("6.7da" is 6.7, "9.1.t" is 9.1).
const NUMBERED_TEXT = /^((?:[A-Z]{1,3})?[0-9]+(?:\.[0-9]+)+|[A-Z]{1,3}[0-9]+(?:\.[0-9]+)*)\s+(.+)$/s;
const CODE_NUMBER = /^((?:[A-Z]{1,4})?[0-9]+(?:\.[0-9]+)*)(?=$|[._a-z])/;

export function questionNumber(question) {
  const fromText = question.text.match(NUMBERED_TEXT)?.[1];
  const fromCode = question.code.match(CODE_NUMBER)?.[1];
  // "R1.4 Civil/ancillary order - Banning order" is R1.4.1: the code's number says which part it is.
  if (fromText && fromCode?.startsWith(`${fromText}.`)) return fromCode;
  if (fromText) return fromText;
  if (/^Section [0-9]/.test(question.text)) return '';
  return fromCode ?? '';
}

export function questionWords(question) {
  const numbered = question.text.match(NUMBERED_TEXT);
  return numbered ? numbered[2] : question.text;
}

// Number and words in one line, e.g. for a summary list's key.
export function questionTitle(question) {
  const number = questionNumber(question);
  return number ? `${number} ${questionWords(question)}` : questionWords(question);
}

// A short name that tells the question apart in a sentence ("question 3.3"; where several questions
// share a number, "question 2.2, Carrying or using a weapon").
export function questionName(catalogue, question) {
  const number = questionNumber(question);
  if (!number) return `“${questionWords(question)}”`;
  const shared = [...catalogue.questions.values()].filter((q) => questionNumber(q) === number).length > 1;
  const words = questionWords(question);
  const tail = words.includes(' - ') ? words.slice(words.lastIndexOf(' - ') + 3) : words;
  return shared ? `question ${number}, ${tail}` : `question ${number}`;
}

// An answer as a person reads it: option labels, dates in words, "None ticked" for an empty list.
export function answerWords(question, value) {
  if (question?.answerType === 'DATE' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(String(value))) {
    return DATE_WORDS.format(new Date(`${value}T00:00:00Z`));
  }
  return answerText(question, value);
}

const DATE_WORDS = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
