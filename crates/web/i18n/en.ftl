# chuishao — English message catalog

## Errors
error-case_not_found = The case does not exist or is outside your scope
error-case_exists = The case already exists
error-role_not_permitted = Your role ({ $role }) may not { $action }
error-not_assigned_to_you = The case is not dispatched to your unit, so you may not { $action }
error-invalid_state = The case is { $status }; it cannot { $action } now
error-field_required = { $field } is required
error-field_too_long = { $field } is too long (at most { $max } characters)
error-field_out_of_range = { $field } is out of range ({ $min } to { $max })
error-field_malformed = { $field } is malformed; expected { $expected }
error-field_unknown = { $field } names nothing known
error-extension_pending = An extension request is already pending
error-no_extension_pending = No extension request is pending
error-not_consultation = Only consultations can be answered directly
error-resident_not_contacted = The resident must be contacted before the case is resolved
error-verifier_is_resolver = The result must be verified by someone other than who resolved it
error-merge_into_self = A case cannot be merged into itself
error-unit_outside_street = The unit belongs to another street
error-no_reporter_contact = The case has no reporter contact
error-version_conflict = The case was changed by someone else (your version { $expected }, now { $actual }); reload and retry
error-malformed_json = The request body is not valid JSON: { $detail }
error-invalid_body = { $field } in the request body is invalid: { $detail }
error-unsupported_media_type = The request body must be JSON (Content-Type: application/json)
error-invalid_query = Query parameter { $field } is invalid
error-invalid_path = { $field } in the path is invalid
error-unauthorized = Please log in
error-login_failed = Wrong username or password
error-forbidden = You are not allowed to do this
error-not_found = Not found
error-unknown_action = Unknown action: { $action }
error-place_required = Give the community_code or street_code of the place
error-duplicate = Already exists: { $what }
error-payload_too_large = The request body is too large
error-method_not_allowed = Method not allowed
error-merge_target_closed = The case to merge into is { $status }; nothing more can merge into it
error-bad_request = The request is malformed
error-internal = Internal error; please try again later

## Expected forms
expected-phone_number = an 11-digit mobile or a landline with area code
expected-digits_6 = 6 digits
expected-digits_9 = 9 digits
expected-digits_12 = 12 digits
expected-slug = lowercase letters, digits and hyphens
expected-media_type = a media type such as image/jpeg
expected-sha256_hex = 64 hexadecimal digits
expected-rfc3339 = an RFC 3339 time such as 2026-11-28T09:00:00+08:00
expected-date = a date such as 2026-11-28
expected-plain_text = text without control characters
expected-uuid_or_number = a case id or number
expected-one_of = one of: { $values }

## Case status
status-received = received
status-answered = answered directly
status-dispatched = dispatched
status-accepted = accepted
status-return_requested = return requested
status-returned = returned, awaiting redispatch
status-contacted = resident contacted
status-resolved = resolved
status-verified = verified
status-callback_recorded = called back
status-closed = closed
status-reopened = reopened, awaiting dispatch
status-terminated = terminated
status-merged = merged

## Actions
action-receive = receive
action-answer-directly = answer directly
action-dispatch = dispatch
action-accept = accept
action-request-return = request a return
action-approve-return = approve the return
action-reject-return = reject the return
action-contact = contact the resident
action-request-extension = request an extension
action-grant-extension = grant the extension
action-deny-extension = deny the extension
action-resolve = resolve
action-verify = verify
action-send-back = send back
action-record-callback = record the callback
action-close = close
action-reopen = reopen
action-terminate = terminate
action-merge = merge
action-add-note = add a note
action-add-attachment = add an attachment
action-reveal-contact = reveal the reporter's contact
action-tick = check deadlines

## Timeline events
event-received = received
event-answered_directly = answered directly
event-dispatched = dispatched
event-accepted = accepted
event-return_requested = return requested
event-return_approved = return approved
event-return_rejected = return rejected
event-contacted = resident contacted
event-extension_requested = extension requested
event-extension_granted = extension granted
event-extension_denied = extension denied
event-resolved = resolved
event-verified = verified
event-verification_failed = sent back after verification
event-callback_recorded = callback recorded
event-closed = closed
event-reopened = reopened
event-terminated = terminated
event-merged = merged as a duplicate
event-note_added = note
event-attachment_added = attachment
event-contact_revealed = contact revealed
event-deadline_warning = deadline warning
event-deadline_overdue = overdue

## Roles
role-resident = resident
role-dispatcher = dispatcher
role-unit_staff = unit staff
role-department_staff = department staff
role-liaison = community liaison
role-street_leader = street leader
role-district_supervisor = district supervisor
role-inspector = inspector
role-system_admin = system admin
role-security_admin = security admin
role-audit_admin = audit admin
role-system = system

## Request kinds
kind-consult = consultation
kind-help = request for help
kind-complaint = complaint
kind-report = report
kind-suggestion = suggestion

## Channels
channel-hotline = 12345 hotline
channel-web = web
channel-open311 = Open311 app
channel-liaison_visit = liaison visit
channel-grid_patrol = grid patrol
channel-walk_in = walk-in

## Satisfaction
satisfaction-satisfied = satisfied
satisfaction-basically_satisfied = basically satisfied
satisfaction-dissatisfied = dissatisfied

## Deadlines
deadline-response = response deadline
deadline-resolution = resolution deadline

## Calendar
daykind-holiday = statutory holiday
daykind-makeup_workday = make-up workday

## Whistles
action-record-whistle = record a whistle
event-whistle_blown = whistle blown
event-whistle_concluded = whistle concluded
whistle_action-request = request a whistle
whistle_action-blow = blow the whistle
whistle_action-approve = approve the whistle
whistle_action-reject = reject the request
whistle_action-sign = sign
whistle_action-report-in = report in
whistle_action-record-action = record action
whistle_action-finish = finish
whistle_action-decline = decline
whistle_action-excuse = excuse
whistle_action-escalate = escalate to the district
whistle_action-conclude = conclude
whistle_action-rate = rate the department
whistle_action-tick = check deadlines
whistle_status-requested = requested
whistle_status-rejected = rejected
whistle_status-active = active
whistle_status-concluded = concluded
summons_status-summoned = summoned
summons_status-signed = signed
summons_status-reported_in = reported in
summons_status-acting = acting
summons_status-done = done
summons_status-declined = declined
summons_status-excused = excused
summons_status-escalated = escalated to the district
whistle_level-community = community whistle
whistle_level-street = street whistle
whistle_level-district = district whistle
clock-sign = sign deadline
clock-report_in = report-in deadline
clock-complete = completion deadline
report_mode-on_site = on site
report_mode-meeting = at a meeting
whistle_event-requested = whistle requested
whistle_event-blown = whistle blown
whistle_event-approved = whistle approved
whistle_event-rejected = request rejected
whistle_event-signed = signed
whistle_event-reported_in = reported in
whistle_event-action_recorded = action recorded
whistle_event-finished = finished
whistle_event-declined = declined
whistle_event-excused = excused
whistle_event-escalated = escalated to the district
whistle_event-overdue = overdue
whistle_event-concluded = concluded
whistle_event-rated = rated
error-whistle_not_found = The whistle does not exist or is outside your scope
error-whistle_exists = The whistle already exists
error-whistle_invalid_state = The whistle is { $status }; it cannot { $action } now
error-summons_invalid_state = The department is { $status }; it cannot { $action } now
error-departments_outstanding = { $count } summoned departments are neither done nor excused
error-already_rated = The department is already rated
error-unknown_whistle_kind = No whistle kind { $kind }
expected-unique_departments = departments without repeats
expected-deadline_spec = a deadline such as 30m, 24h or 5wd
expected-snake_case_key = lowercase letters and underscores
error-case_closed = The case is { $status }; no whistle can be blown for it

## Community liaisons, visits and hardship assistance

care_flag-living_alone = Elderly living alone
care_flag-elderly = Aged 80+
care_flag-disabled = Disabled
care_flag-low_income = Subsistence / low income
care_flag-serious_illness = Serious illness
care_flag-unemployed = Unemployed
care_flag-entitled_group = Entitled group (优抚)

assistance_kind-assistive_device = Assistive device
assistance_kind-temporary_relief = Temporary relief
assistance_kind-subsistence_allowance = Subsistence allowance application
assistance_kind-meal_aid = Meal aid
assistance_kind-home_care = Home care for the elderly
assistance_kind-employment_aid = Employment support

assistance_status-submitted = Submitted
assistance_status-under_review = Under review
assistance_status-approved = Approved
assistance_status-rejected = Rejected
assistance_status-delivered = Delivered
assistance_status-withdrawn = Withdrawn

assistance_action-submit = Submit
assistance_action-start-review = Start review
assistance_action-approve = Approve
assistance_action-reject = Reject
assistance_action-deliver = Mark delivered
assistance_action-withdraw = Withdraw
assistance_action-add-note = Add a note
assistance_action-tick = Deadline check

assistance_event-submitted = Submitted
assistance_event-review_started = Review started
assistance_event-approved = Approved
assistance_event-rejected = Rejected
assistance_event-delivered = Delivered
assistance_event-withdrawn = Withdrawn
assistance_event-note_added = Note
assistance_event-warned = Deadline warning
assistance_event-overdue = Overdue

assistance_clock-decision = Decision deadline
assistance_clock-delivery = Delivery deadline

error-assistance_not_found = The assistance request does not exist or is outside your scope
error-assistance_exists = This assistance request already exists
error-assistance_invalid_state = The request is { $status }; it cannot { $action } now
error-no_assistance_office = This street has no livelihood office to take the request
error-household_not_found = The household does not exist or is outside your scope
error-visit_not_found = The visit does not exist or is outside your scope
error-liaison_not_found = The liaison does not exist or is outside your scope
error-unknown_care_flag = There is no care flag { $flag }
error-idempotency_key_reused = This Idempotency-Key was already used for a different request
error-invalid_idempotency_key = An Idempotency-Key must be 1 to 100 visible ASCII characters

## Smart dispatch

route-reason-unit = { $street } · { $owner } · duty list { $code } { $item } · confidence { $confidence }
route-reason-department = { $owner } · duty list { $code } { $item } · confidence { $confidence }
route-fallback-unclear_matter = { $owner } takes it · the matter is unclear (best confidence { $confidence })
route-fallback-unknown_place = { $owner } takes it · { $code } { $item } belongs to a street, but the place is unknown
route-fallback-no_such_unit = { $owner } takes it · { $street } has no unit for { $code } { $item }
place-polygon = In { $community }, { $street }
place-street = In { $street } (outside every community boundary)
place-nearest = Outside every community; nearest is { $community }, { $street }, { $distance } m away
place-gazetteer = Found by the name “{ $name }”: { $community }, { $street }
place-given = By the codes given: { $community }, { $street }
place-unknown = The place is unknown
place-approximate =  (approximate demo boundaries)
place_method-polygon = inside a boundary
place_method-nearest = nearest community
place_method-gazetteer = place name
place_method-given = codes given
place_method-unknown = not located
error-invalid_geojson = The boundary file is invalid; nothing was imported: { $detail }
auto-dispatch-name = Smart dispatch
auto-dispatch-note = Smart dispatch

## Assessment

rank_class-advanced = Advanced
rank_class-improved = Improved
rank_class-rectify = To rectify
rank_class-governance = Called in
figure-none = (not dispatched)
report-col-rank = Rank
report-col-code = Code
report-col-name = Name
report-col-received = Received
report-col-valid = Valid callbacks
report-col-response = Response (%)
report-col-resolution = Resolution (%)
report-col-satisfaction = Satisfaction (%)
report-col-composite = Composite (%)
report-col-previous = Last month composite (%)
report-col-class = Class
expected-weights_sum_to_one = three weights adding up to 1
report-sheet-streets = Streets
report-sheet-departments = Departments
report-sheet-items = Duty items
report-sheet-chart = Chart
report-title = Monthly assessment { $month } · { $subject } (formula v{ $version })
report-total = Total
report-chart-title = Composite and resolution by street, { $month }
report-chart-axis-x = Street
report-chart-axis-y = Rate
report-chart-empty = No street figures this month, so no chart.
error-theme_not_found = The theme does not exist or is outside your scope
error-theme_closed = The theme is already closed

# High-frequency problems: why a theme is proposed
proposal-reason-rising = rising month over month
proposal-reason-repeats = repeat requests
proposal-reason-hotspot = hotspot cell

# Keeping the duty catalog
error-invalid_catalog_file = Line { $line } of the catalog file is invalid; nothing was imported: { $detail }
error-catalog_file_header = This is not a duty catalog file; nothing was imported: the first line must be { $columns }
error-catalog_file_unreadable = Line { $line } of the catalog file cannot be read (it must be UTF-8 CSV with balanced quotes); nothing was imported
error-catalog_duplicate_code = The code { $code } on line { $line } of the catalog file repeats an earlier line; nothing was imported
error-catalog_file_empty = The file holds no item; nothing was imported
expected-duty_code = letters, digits and hyphens (such as C-055)
expected-owner = unit:ROLE or dept:ID (such as unit:city_management, dept:dc-cgzf)
expected-request_kind = a request kind (one of consult, help, complaint, report, suggestion)
expected-true_false = true or false
expected-not_the_owner = units other than the owner
# Photo attachments
error-attachment_not_image = Only images can be uploaded (JPEG, PNG, WebP or GIF); this file is not one
error-attachment_too_large = The photo is too large; at most { $max }
error-attachment_not_found = The case has no such attachment, or its file was not kept
error-multipart_expected = Upload the file as multipart/form-data (in the part named file)
error-malformed_multipart = The uploaded form is malformed
expected-department_kind = a department kind (department or utility)
