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
