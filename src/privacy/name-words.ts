/**
 * Capitalised words that follow "patient", "pt" or "Mr." in coder mail without being a name:
 * sentence words, pronouns, payers, clinical and billing vocabulary, days and months. A
 * capitalised word after a name cue that is on this list ends the name (or means there is none).
 * Lower case; compared case-insensitively.
 */
export const NOT_NAME_WORDS = new Set(
  `
a an and or but if so as at by for from in into of on to with without via per than then also not no yes
is was were be been being are am has had have having do does did done will would shall should can could may might must
he she they we i you it his her hers their theirs our ours my mine your yours its him them us me who whom whose
which what when where why how this that these those there here all any both each every either neither some such
same other another one two three four five six seven eight nine ten first second third last next new old
today yesterday tomorrow now still just only very too please thanks thank hi hello dear regards sincerely best
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
medicare medicaid advantage aetna cigna humana uhc united unitedhealthcare healthcare blue cross shield bcbs anthem kaiser
tricare champva wellcare molina centene ambetter oscar highmark premera regence carefirst optum caresource amerigroup
commercial private self pay payer payor plan policy insurance ins primary secondary tertiary hmo ppo epo pos
member subscriber beneficiary guarantor insured dependent spouse child son daughter mother father parent family
patient patients pt pts name names info information status type class category portal responsibility balance account
record records chart charts note notes id number dob mrn mbi ssn age sex gender male female man woman boy girl
adult pediatric peds infant newborn baby elderly geriatric minor
seen saw came comes come presented presents presenting returned returns returning complains complained reports reported
states stated denies denied underwent received receives receiving called calls needs needed wants wanted requested
requests had has got gets went goes left arrived admitted discharged transferred expired deceased died passed
education counseling consent demographics registration intake history hx exam examination physical occupational
speech mental behavioral health medical dental vision lab labs xray x-ray mri ct ultrasound us ekg ecg echo
new established est inpatient outpatient observation obs home office hospital clinic facility er ed icu snf asc
room bed unit floor ward suite dept department
doctor dr md do np pa rn lpn cna nurse provider physician surgeon therapist coder coders billing biller manager
code codes coding cpt hcpcs icd icd-10 modifier modifiers mod units dx diagnosis diagnoses procedure procedures
service services date dates time times dos visit visits encounter encounters claim claims
left right bilateral lt rt post pre op postop preop surgery surgical injection injections therapy therapies
eval evaluation re-eval reevaluation treatment tx follow followup follow-up annual wellness preventive screening
consult consultation referral referred auth authorization prior denial appeal appeals paid payment payments copay
deductible coinsurance abn eob era lcd ncd ncci mue global period bundled bundle separate separately distinct
independent additional initial subsequent critical emergency emergent urgent routine telehealth virtual audio video
phone fax email address street apt
pregnant diabetic obese smoker sx rx fx pain chronic acute stable unstable
access financial relations advocate advocacy experience safety satisfaction centered engagement flow
transport transportation accounts statement statements scheduling protection affordable act assistance
navigator coordinator liaison population services driven outcomes request model
question questions issue issues problem problems case cases help support team group practice
positive negative normal abnormal test tests result results
his/her he/she s/he n/a na unknown none tbd
`
    .split(/\s+/)
    .filter(Boolean),
);

/** Words that join parts of a name in lower case: "Maria de la Cruz", "Ludwig van Beethoven". */
export const NAME_PARTICLES = new Set(['de', 'del', 'della', 'la', 'le', 'da', 'dos', 'das', 'van', 'von', 'der', 'den', 'di', 'du', 'st.', 'bin', 'al', 'el', 'y']);

/** Name suffixes kept with the name: "John Smith Jr.", "Robert Lee III". */
export const NAME_SUFFIXES = /^(?:jr|sr|ii|iii|iv)\.?$/i;
